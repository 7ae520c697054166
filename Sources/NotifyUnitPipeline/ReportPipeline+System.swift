import NotifyUnitCore
import NotifyUnitSystem

extension ReportPipeline {
  /// The pipeline as the command line runs it: the outcome from systemd,
  /// the log from the journal, and the channels the settings configure
  /// (mail with MAIL_TO, Healthchecks with a CHECK). No pipeline, so that
  /// nothing is sent, when one cannot be used (fail closed): a bad CHECK
  /// (64; 78 for a file: or env: one), a credential file that cannot be read
  /// (78), a journal file that cannot be opened (66), nothing to deliver
  /// to (78).
  /// `followedRun`: a later failure of the unit that an OnFailure= handler
  /// reports after its own (`RestartWait.laterFailure`).
  public static func forSystem(
    unit: String, check: String?, settings: Settings, invocationFlag: String? = nil,
    onFailure: Bool = false, followedRun: UnitStatus? = nil, resend: Bool = false,
    log: @escaping (String) -> Void = say
  ) -> (ReportPipeline?, ExitStatus) {
    var status = ExitStatus.delivered
    let inputs =
      settings.journalFiles.map { ($0, false) }
      + (settings.journalDirectory.map { [($0, true)] } ?? [])
    for (path, directory) in inputs {
      if let error = Host.checkReadable(path, directory: directory) {
        log(
          Priority.error.tag(
            "\(error): check --journal-\(directory ? "directory" : "file") (or JOURNAL_\(directory ? "DIRECTORY" : "FILE"))"
          ))
        status = .noInput
      }
    }
    // A file that is not a journal (--journal-file /etc/passwd) is named
    // here, not found to hold no log.
    if status != .noInput, !settings.journalFiles.isEmpty {
      do throws(JournalError) {
        _ = try Journal(.files(settings.journalFiles))
      } catch {
        log(
          Priority.error.tag(
            "\(error): is each --journal-file (JOURNAL_FILE) a journal file? (journalctl --file=FILE reads one)"
          ))
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
        // Fail closed: no report goes out with a channel the user named missing.
        log(Priority.error.tag("CHECK: \(error): nothing was sent"))
        // A check file (`file:PATH`, or a variable holding one) that cannot
        // be read is a configuration problem; a bad CHECK itself, usage.
        let variable = check.hasPrefix("env:") ? Host.environment[String(check.dropFirst(4))] : nil
        let fromFile = check.hasPrefix("file:") || variable?.hasPrefix("file:") == true
        return (nil, max(status, fromFile ? .configProblem : .usage))
      }
    }
    var credentials = ExitStatus.delivered
    channels += pushChannels(
      settings: settings, renderer: renderer, status: &credentials, log: log)
    if credentials != .delivered { return (nil, max(status, credentials)) }
    // Silence is the worst failure: a run that can tell no one says so.
    if channels.isEmpty && settings.prometheusTextfileDirectory == nil {
      log(
        Priority.error.tag(
          "nothing to deliver \(unit.sanitizedForDisplay(maxLength: 100))'s report to: set MAIL_TO in \(defaultConfigPath) (or --mail-to), NTFY_URL, WEBHOOK_URL or APPRISE_URLS, or give a CHECK"
        ))
      return (nil, max(status, .configProblem))
    }
    var source = SystemdOutcomeSource(
      environment: Host.environment, onFailure: onFailure,
      asksSystemd: settings.journalSource == .local, log: log)
    source.followedRun = followedRun
    var pipeline = ReportPipeline(
      unit: unit, settings: settings, outcomeSource: source,
      logCollector: JournalLogCollector(settings: settings, renderer: renderer, log: log),
      channels: channels, log: log)
    pipeline.renderer = renderer
    pipeline.invocationFlag = invocationFlag
    pipeline.resend = resend
    // Its earlier reports went first, in the handler's own report.
    if followedRun != nil { pipeline.deliversEarlierReports = false }
    return (pipeline, status)
  }

  /// ntfy, the webhooks and Apprise, as the settings configure them; a
  /// credential file that cannot be read stops the report (78): nothing is
  /// sent anywhere.
  static func pushChannels(
    settings: Settings, renderer: LogRenderer, status: inout ExitStatus,
    log: @escaping (String) -> Void
  ) -> [Channel] {
    var channels: [Channel] = []
    func credential(_ key: String, _ path: String?) -> String?? {
      guard let path else { return .some(nil) }
      switch readSecretFile(path) {
      case .success(let text) where !text.firstLineTrimmed.isEmpty:
        return .some(text.firstLineTrimmed)
      case .success:
        log(Priority.error.tag("\(key): \(path) is empty: nothing was sent (put the value in it)"))
      case .failure(let error):
        log(Priority.error.tag("\(key): \(error): nothing was sent"))
      }
      status = max(status, .configProblem)
      return nil
    }
    if let topic = settings.ntfyURL,
      let token = credential("NTFY_TOKEN_FILE", settings.ntfyTokenFile)
    {
      channels.append(
        NtfyChannel(
          topic: topic, authorization: token.map(NtfyChannel.authorization(credential:)),
          settings: settings, log: log))
    }
    if !settings.webhookURLs.isEmpty,
      let authorization = credential(
        "WEBHOOK_AUTHORIZATION_FILE", settings.webhookAuthorizationFile)
    {
      for url in settings.webhookURLs {
        channels.append(
          WebhookChannel(
            url: url, format: settings.webhookFormat, authorization: authorization,
            settings: settings, renderer: renderer, log: log))
      }
    }
    if let file = settings.appriseURLsFile {
      // apprise would wait on a FIFO, and a file it cannot read notifies no one.
      if let error = Host.checkReadable(file, directory: false) {
        log(Priority.error.tag("APPRISE_URLS: \(error): nothing was sent"))
        status = max(status, .configProblem)
        return channels
      }
      channels.append(AppriseChannel(urlsFile: file, program: settings.apprise, log: log))
    }
    return channels
  }
}
