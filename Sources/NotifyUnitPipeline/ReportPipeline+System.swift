import NotifyUnitCore
import NotifyUnitSystem

extension ReportPipeline {
  /// The pipeline as the command line runs it: the outcome from systemd,
  /// the log from the journal, and the channels the settings configure
  /// (mail with MAIL_TO, Healthchecks with a CHECK). The status says what
  /// was wrong with them (a bad CHECK: 64; the run still reports). No
  /// pipeline when it could only fail: a journal file that cannot be opened
  /// (66), nothing to deliver to (78).
  public static func forSystem(
    unit: String, check: String?, settings: Settings, invocationFlag: String? = nil,
    onFailure: Bool = false, resend: Bool = false, log: @escaping (String) -> Void = say
  ) -> (ReportPipeline?, ExitStatus) {
    var status = ExitStatus.delivered
    let inputs =
      settings.journalFiles.map { ($0, false) }
      + (settings.journalDirectory.map { [($0, true)] } ?? [])
    for (path, directory) in inputs {
      if let error = Host.checkReadable(path, directory: directory) {
        log(
          "\(error): check --journal-\(directory ? "directory" : "file") (or JOURNAL_\(directory ? "DIRECTORY" : "FILE"))"
        )
        status = .noInput
      }
    }
    if status == .noInput { return (nil, status) }
    let renderer = LogRenderer(zone: .local)
    var channels: [Channel] = []
    if settings.mailTo.isEmpty {
      if settings.dryRun { log("no recipients (MAIL_TO): no mail would be sent") }
    } else {
      channels.append(MailChannel(settings: settings, renderer: renderer, log: log))
    }
    if let check {
      do throws(ConfigurationError) {
        if let target = try pingTarget(check, settings) {
          let limits = PingBodyLimitStore(
            directory: UnitStateStore.defaultDirectory(
              configured: settings.stateDirectory, environment: Host.environment))
          channels.append(
            HealthchecksChannel(
              target: target, settings: settings, bodyLimits: limits, log: log))
        }
      } catch {
        log("CHECK: \(error); no ping will be sent")
        status = .usage
      }
    }
    // Silence is the worst failure: a run that can tell no one says so.
    if channels.isEmpty {
      log(
        "nothing to deliver \(unit.sanitizedForDisplay(maxLength: 100))'s report to: set MAIL_TO in \(defaultConfigPath) (or --mail-to), or give a CHECK"
      )
      return (nil, max(status, .configProblem))
    }
    let source = SystemdOutcomeSource(
      environment: Host.environment, onFailure: onFailure,
      asksSystemd: settings.journalSource == .local, log: log)
    var pipeline = ReportPipeline(
      unit: unit, settings: settings, outcomeSource: source,
      logCollector: JournalLogCollector(settings: settings, renderer: renderer, log: log),
      channels: channels, log: log)
    pipeline.renderer = renderer
    pipeline.invocationFlag = invocationFlag
    pipeline.resend = resend
    return (pipeline, status)
  }
}
