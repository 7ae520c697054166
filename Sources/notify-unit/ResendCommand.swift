import ArgumentParser
import NotifyUnitCore
import NotifyUnitPipeline
import NotifyUnitSystem

/// `notify-unit resend UNIT`: the unit's last report once more, by mail,
/// marked as a re-send (Resent-Date, Resent-Message-ID, Resent-From,
/// Resent-To, which mail clients show). Without a stored report, or for an
/// older run (--invocation-id), the report is rebuilt from the journal.
struct ResendCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "resend",
    abstract: "Send a unit's last report again (by mail; the ping only with --ping).",
    discussion: """
      The stored report is in the state directory (UNIT.last.eml). With no
      stored report, or with --invocation-id, the report is made anew from the
      journal (and the unit's status, over D-Bus).

      Examples:
        notify-unit resend backup.service
        notify-unit resend --mail-to me@example.org backup.service
        notify-unit resend --invocation-id ID --ping backup.service env:HC_BACKUP
      """)

  @Argument(help: "The unit's name, e.g. backup.service.", completion: .systemdServices)
  var unit: String

  @Argument(help: "The Healthchecks check, for --ping.")
  var check: String?

  @Flag(help: "Ping Healthchecks again too (needs CHECK).")
  var ping = false

  @Option(help: "Rebuild the report of this run from the journal.")
  var invocationId: String?

  @OptionGroup var configFile: ConfigFileOption
  @OptionGroup var mail: MailOptions
  @OptionGroup var pingOptions: PingOptions
  @OptionGroup var runOptions: RunOptions

  @Option(help: "Rebuild from this journal file (repeatable). [JOURNAL_FILE]")
  var journalFile: [String] = []

  func validate() throws {
    try validateUnitArgument(unit)
  }

  func run() throws {
    let flags =
      mail.flagValues + pingOptions.flagValues + runOptions.flagValues
      + keyedFlags([("JOURNAL_FILE", journalFile)], [])
    var settings = try configFile.settings(flags: flags)
    var status = ExitStatus.delivered
    if ping && check == nil {
      say("--ping needs the CHECK to ping")
      throw ExitCode(ExitStatus.usage.rawValue)
    }
    guard !settings.mailTo.isEmpty else {
      say("no recipients (MAIL_TO or --mail-to): nothing to resend to")
      throw ExitCode(ExitStatus.usage.rawValue)
    }
    // Without a usable state directory there is no stored report: say why,
    // then rebuild the report from the journal as when none was kept.
    let store: UnitStateStore?
    do {
      store = try UnitStateStore(
        directory: UnitStateStore.defaultDirectory(
          configured: settings.stateDirectory, environment: Host.environment))
    } catch {
      say("no stored report can be read: \(error)", priority: .warning)
      store = nil
    }
    let stored = store.map { $0.lastReportPath(unit) }.flatMap { path in
      Host.checkReadable(path, directory: false) == nil ? path : nil
    }

    guard invocationId == nil, let stored else {
      // Made anew: every report of the run mailed, pinged only with --ping.
      say(
        invocationId == nil
          ? "no stored report of \(unit): rebuilding it from the journal"
          : "rebuilding the report of \(invocationId!) from the journal")
      settings.policies = ["MAIL_ON": .always, "HC_ON": .always]
      let (pipeline, setupStatus) = ReportPipeline.forSystem(
        unit: unit, check: ping ? check : nil, settings: settings, invocationFlag: invocationId,
        resend: true)
      status = max(status, setupStatus, pipeline?.run() ?? .delivered)
      if status != .delivered { throw ExitCode(status.rawValue) }
      return
    }

    let host = Host.name
    let now = Host.nowMicroseconds
    let from = settings.mailSender(host: host, domain: MailDomain.local).headerValue
    let headers = Array(
      """
      Resent-Date: \(HeaderEncoding.date(now))
      Resent-Message-ID: <\(now).\(Host.randomHex(bytes: 8)).resent.notify-unit@\(HeaderEncoding.token(host))>
      Resent-From: \(from)
      Resent-To: \(settings.mailRecipients(domain: MailDomain.local).map(\.headerValue).joined(separator: ",\n "))

      """.utf8)
    if settings.dryRun {
      let out = FileDescriptorSink(fd: 1, deadline: nil, what: "stdout")
      try out.write(headers)
      if case .success(let text) = Host.readFile(stored, maxBytes: 64 << 20) {
        try out.write(Array(text.utf8))
      }
      try out.flush()
    } else {
      do {
        try mailTransport(settings, host: host).send(
          file: stored, headers: headers, deadline: Deadline(secondsFromNow: settings.timeout))
        say("re-sent the last report of \(unit) to \(settings.mailTo.count) recipient(s)")
      } catch {
        say("the report could not be re-sent: \(error)", priority: .error)
        status = max(status, .temporaryFailure)
      }
    }
    if ping, let check, let record = store?.read(unit).record {
      status = max(status, pingAgain(check: check, record: record, settings: settings, say: say))
    }
    if status != .delivered { throw ExitCode(status.rawValue) }
  }

  /// The stored outcome's ping once more, with its run's rid.
  func pingAgain(
    check: String, record: UnitStateStore.Record, settings: Settings,
    say: @escaping (String) -> Void
  ) -> ExitStatus {
    let target: PingTarget
    do throws(ConfigurationError) {
      // nil: an env: CHECK that is unset, which resolveCheck has said.
      guard let resolved = try pingTarget(check, settings) else { return .usage }
      target = resolved
    } catch {
      say(Priority.error.tag("CHECK: \(error); nothing pinged"))
      return .usage
    }
    let rid = record.invocationID.flatMap(ridFromInvocationID)
    let body = Array(
      "\(unit.sanitizedForDisplay(maxLength: 200)): \(record.result) (re-sent)\n".utf8)
    if settings.dryRun {
      say("ping: POST \(target.redactedURL(success: record.success, rid: rid))")
      return .delivered
    }
    let outcome = HealthchecksPinger(
      target: target, policy: RetryPolicy(maxAttempts: settings.pingRetries + 1),
      requestTimeout: settings.pingTimeout, log: say
    ).ping(
      success: record.success, rid: rid, bodyLimit: body.count,
      deadline: Deadline(secondsFromNow: settings.timeout)
    ) { _ in body }
    return outcome.delivered ? .delivered : outcome.permanent ? .refused : .temporaryFailure
  }
}
