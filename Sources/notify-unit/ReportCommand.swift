import ArgumentParser
import NotifyUnitCore
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

      Examples:
        ExecStopPost=-/usr/local/bin/notify-unit backup.service CHECK-UUID
        notify-unit --mail-to root@example.org backup.service  # latest run
        notify-unit --dry-run --journal-file run.journal --invocation-id ID \\
            --mail-to admin@example.org backup.service

      Exit status: 0 delivered, or kept in the spool for a reason that passes;
      64 bad command line; 69 misconfiguration or refusal (sendmail missing
      or failing, Healthchecks 4xx); 75 neither delivered nor kept; 78 bad
      config file (the report was still sent).
      """)

  @Argument(help: "The unit's name, e.g. backup.service.", completion: .systemdServices)
  var unit: String

  @Argument(
    help: """
      The Healthchecks check: a UUID (pinged under --hc-url), PING-KEY/SLUG, or a \
      self-hosted check's full ping URL. No CHECK, no ping.
      """)
  var check: String?

  @OptionGroup var configFile: ConfigFileOption

  @Option(help: "Recipient (repeatable). No recipient, no mail. [MAIL_TO]")
  var mailTo: [String] = []

  @Option(help: "Sender address. [MAIL_FROM, default notify-unit@HOST]")
  var mailFrom: String?

  @Option(help: "sendmail program. [SENDMAIL, default /usr/sbin/sendmail]")
  var sendmail: String?

  @Option(
    help:
      "Submit mail over SMTP to this relay (smtp://127.0.0.1) instead of sendmail; needed in a sandboxed unit. [SMTP_URL]"
  )
  var smtpUrl: String?

  @Option(help: "Healthchecks ping base URL. [HC_URL, default https://hc-ping.com]")
  var hcUrl: String?

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

  @Option(help: "Hard deadline for the whole run, in seconds. [TIMEOUT, default 45]")
  var timeout: String?

  @Flag(help: "Print the mail to stdout and each ping to stderr; send nothing. [DRY_RUN]")
  var dryRun = false

  @Option(help: "Log lines shown in the mail body. [BODY_MAX_LINES, default 200]")
  var bodyMaxLines: String?

  @Option(help: "Log bytes shown in the mail body. [BODY_MAX_BYTES, default 65536]")
  var bodyMaxBytes: String?

  @Option(
    help:
      "Log bytes attached when the body cannot show all. [ATTACHMENT_MAX_BYTES, default 10485760]")
  var attachmentMaxBytes: String?

  @Option(help: "Ping body limit until the server tells its own. [PING_BODY_LIMIT, default 100000]")
  var pingBodyLimit: String?

  @Option(help: "One ping request's timeout, in seconds. [PING_TIMEOUT, default 10]")
  var pingTimeout: String?

  @Option(help: "Ping retries after the first try. [PING_RETRIES, default 4]")
  var pingRetries: String?

  @Option(
    help: "Longest wait for journald to store the last lines, seconds. [JOURNAL_SETTLE, default 3]")
  var journalSettle: String?

  @Option(
    help: """
      When to mail: always, failure, or change (failures, and the first success \
      after one). [MAIL_ON; per unit MAIL_ON_backup_service; default change]
      """, completion: .mailPolicies)
  var mailOn: String?

  @Option(help: "Where each unit's last outcome is kept. [STATE_DIRECTORY]")
  var stateDirectory: String?

  /// Flags by the config key they set, in the order they are applied.
  var flagValues: [(key: String, value: String)] {
    var list: [(String, String)] = []
    for (i, v) in mailTo.enumerated() { list.append((i == 0 ? "MAIL_TO" : "+MAIL_TO", v)) }
    for (i, v) in journalFile.enumerated() {
      list.append((i == 0 ? "JOURNAL_FILE" : "+JOURNAL_FILE", v))
    }
    let singles: [(String, String?)] = [
      ("MAIL_FROM", mailFrom), ("SENDMAIL", sendmail), ("SMTP_URL", smtpUrl), ("HC_URL", hcUrl),
      ("JOURNAL_DIRECTORY", journalDirectory), ("TIMEOUT", timeout),
      ("BODY_MAX_LINES", bodyMaxLines), ("BODY_MAX_BYTES", bodyMaxBytes),
      ("ATTACHMENT_MAX_BYTES", attachmentMaxBytes), ("PING_BODY_LIMIT", pingBodyLimit),
      ("PING_TIMEOUT", pingTimeout), ("PING_RETRIES", pingRetries),
      ("JOURNAL_SETTLE", journalSettle), ("DRY_RUN", dryRun ? "yes" : nil),
      ("MAIL_ON", mailOn), ("STATE_DIRECTORY", stateDirectory),
    ]
    for case (let key, let value?) in singles { list.append((key, value)) }
    return list
  }

  func run() throws {
    let (settings, loadStatus) = loadSettings(config: configFile.config, flags: flagValues)
    var status = loadStatus
    var run = ReportRun(unit: unit, check: check, settings: settings)
    run.invocationFlag = invocationId
    run.onFailure = onFailure
    status = max(status, run.execute())
    if status != .delivered { throw ExitCode(status.rawValue) }
  }
}
