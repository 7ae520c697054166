import ArgumentParser
import NotifyUnitCore
import NotifyUnitPipeline
import NotifyUnitSystem

/// The main mode: what a unit's ExecStopPost= line runs.
struct ReportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "report",
    abstract: "Report a unit's run (the default: `notify-unit UNIT [CHECK]`).",
    discussion: """
      Run from a unit's ExecStopPost= line, notify-unit reads SERVICE_RESULT,
      EXIT_CODE, EXIT_STATUS and INVOCATION_ID from systemd, collects the
      invocation's journal entries, mails the report through `sendmail -t -oi -odi`
      and pings Healthchecks (the check's URL on success, /fail otherwise).
      Every option can also be set in the config file: --mail-to is MAIL_TO.
      MAIL_TO or a CHECK must be given: with neither, nothing is sent and it
      exits 78. Keep the check off command lines, which every user can read:
      env:NAME (from EnvironmentFile=) or file:PATH.

      Examples:
        ExecStopPost=-/usr/bin/notify-unit %n env:HC_BACKUP
        notify-unit --mail-to root@example.org backup.service  # latest run
        notify-unit backup.service file:/etc/notify-unit/backup.check
        notify-unit --dry-run --journal-file run.journal --invocation-id ID \\
            --mail-to admin@example.org backup.service

      Exit status: 0 delivered, or kept in the spool for a reason that passes;
      64 bad command line or CHECK (nothing sent); 66 a journal file that
      cannot be opened or is not a journal (nothing sent); 69
      misconfiguration or refusal (sendmail missing or failing, Healthchecks
      4xx); 75 neither delivered nor kept; 78 a config, check or key file that
      cannot be read or has bad lines (nothing sent), a malformed invocation
      ID, or nothing to deliver to.
      """)

  @Argument(help: "The unit's name, e.g. backup.service.", completion: .systemdServices)
  var unit: String

  @Argument(
    help: """
      The Healthchecks check: a UUID (pinged under --hc-url), PING-KEY/SLUG, or a \
      self-hosted check's full ping URL; env:NAME or file:PATH to keep it off the \
      command line. No CHECK, no ping.
      """)
  var check: String?

  @OptionGroup var configFile: ConfigFileOption
  @OptionGroup var mail: MailOptions
  @OptionGroup var ping: PingOptions
  @OptionGroup var runOptions: RunOptions

  @Option(help: "Invocation to report; overrides INVOCATION_ID from systemd.")
  var invocationId: String?

  @Flag(
    help: """
      Run as an OnFailure= handler (notify-failure@.service): UNIT failed; its \
      outcome comes from MONITOR_* or, without them, from systemd over D-Bus.
      """)
  var onFailure = false

  @Option(help: "Read this journal file instead of the system journal (repeatable). [JOURNAL_FILE]")
  var journalFile: [String] = []

  @Option(help: "Read the journal files in this directory. [JOURNAL_DIRECTORY]")
  var journalDirectory: String?

  @Option(help: "Log lines shown in the mail body. [BODY_MAX_LINES, default 200]")
  var bodyMaxLines: String?

  @Option(help: "Log bytes shown in the mail body. [BODY_MAX_BYTES, default 65536]")
  var bodyMaxBytes: String?

  @Option(
    help:
      "Attachment bytes (of the gzip for a log over 64 KiB) when the body cannot show all. [ATTACHMENT_MAX_BYTES, default 10485760]"
  )
  var attachmentMaxBytes: String?

  @Option(help: "Ping body limit until the server tells its own. [PING_BODY_LIMIT, default 100000]")
  var pingBodyLimit: String?

  @Option(
    help: "Longest wait for journald to store the last lines, seconds. [JOURNAL_SETTLE, default 3]")
  var journalSettle: String?

  @Option(
    help: """
      When to mail: always, failure, or change (failures, and the first success \
      after one). [MAIL_ON; per unit MAIL_ON_backup_service; default change]
      """, completion: .mailPolicies)
  var mailOn: String?

  /// Flags by the config key they set, in the order they are applied.
  var flagValues: [(key: String, value: String)] {
    mail.flagValues + ping.flagValues + runOptions.flagValues
      + keyedFlags(
        [("JOURNAL_FILE", journalFile)],
        [
          ("JOURNAL_DIRECTORY", journalDirectory), ("BODY_MAX_LINES", bodyMaxLines),
          ("BODY_MAX_BYTES", bodyMaxBytes), ("ATTACHMENT_MAX_BYTES", attachmentMaxBytes),
          ("PING_BODY_LIMIT", pingBodyLimit), ("JOURNAL_SETTLE", journalSettle),
          ("MAIL_ON", mailOn),
        ])
  }

  func validate() throws {
    try validateUnitArgument(unit)
  }

  func run() throws {
    let id =
      (invocationId ?? Host.environment[onFailure ? "MONITOR_INVOCATION_ID" : "INVOCATION_ID"])
      .flatMap(normalizedInvocationID)
    var settings = try configFile.settings(
      flags: flagValues,
      resend:
        "notify-unit resend \(id.map { "--invocation-id \($0) " } ?? "")\(unit.sanitizedForDisplay(maxLength: 100))"
    )
    var status = ExitStatus.delivered
    // During shutdown, a ping that does not go through at once goes to the
    // spool, which the boot-time flush delivers (notify-unit-boot.service):
    // retries would only hold the machine's shutdown. A bus that cannot be
    // reached says nothing about a shutdown: the usual retries then.
    if !settings.dryRun, case .local = settings.journalSource,
      (try? SystemBus(timeout: 2))?.systemState() == "stopping"
    {
      say("the system is shutting down: one quick try for each report, then the spool")
      settings.pingRetries = 0
      settings.pingTimeout = min(settings.pingTimeout, 3)
      settings.timeout = min(settings.timeout, 15)
    }
    // From ExecStopPost=, the run ended: its recorded start (notify-unit
    // start) is not an interrupted run, whatever becomes of this report.
    if !settings.dryRun, !onFailure, !(Host.environment["SERVICE_RESULT"] ?? "").isEmpty {
      let directory = UnitStateStore.defaultDirectory(
        configured: settings.stateDirectory, environment: Host.environment)
      RunStarts(directory: directory).finished(unit: unit, bootID: RunStarts.currentBootID())
    }
    let (pipeline, setupStatus) = ReportPipeline.forSystem(
      unit: unit, check: check, settings: settings, invocationFlag: invocationId,
      onFailure: onFailure)
    status = max(status, setupStatus)
    if let pipeline {
      let result = pipeline.report()
      status = max(status, result.status)
      if pipeline.outcomeSource.isHandler, !settings.dryRun, case .local = settings.journalSource {
        status = max(status, reportLaterFailures(after: result.invocationID, settings: settings))
      }
    }
    if status != .delivered { throw ExitCode(status.rawValue) }
  }

  /// An OnFailure= handler reports, after its own run, each later run of
  /// the unit that failed while it ran (`RestartWait.laterFailure`): the
  /// handler start such a run asks for merged into this one. A few at
  /// most, each bounded by TIMEOUT like any report.
  func reportLaterFailures(after handled: String?, settings: Settings) -> ExitStatus {
    var status = ExitStatus.delivered
    var handled = handled
    guard let bus = try? SystemBus(timeout: 2) else { return status }
    let wait = RestartWait(read: { try? UnitStatusReader.read(unit, bus: bus) })
    for _ in 0..<5 {
      guard let later = wait.laterFailure(after: handled, budget: 10) else { break }
      say(
        "\(unit.sanitizedForDisplay(maxLength: 100)): its next run (\(later.invocationID ?? "")) failed while this handler ran, and systemd started no handler of its own for it: reporting it too"
      )
      let (pipeline, setupStatus) = ReportPipeline.forSystem(
        unit: unit, check: check, settings: settings, onFailure: true, followedRun: later)
      status = max(status, setupStatus)
      guard let pipeline else { break }
      let result = pipeline.report()
      status = max(status, result.status)
      handled = result.invocationID ?? later.invocationID
    }
    return status
  }
}
