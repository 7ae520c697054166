import ArgumentParser

/// Options shared by the subcommands they apply to, with the same names and
/// meanings everywhere. Each sets the config key in brackets; flags win
/// over the config file.
protocol SettingFlags {
  /// Flags by the config key they set, in the order they are applied
  /// ("+KEY" appends to a list).
  var flagValues: [(key: String, value: String)] { get }
}

/// The keys of the options given, each once; a repeated one appends.
func keyedFlags(_ lists: [(String, [String])], _ singles: [(String, String?)]) -> [(
  key: String, value: String
)] {
  var list: [(key: String, value: String)] = []
  for (key, values) in lists {
    for (i, v) in values.enumerated() { list.append((i == 0 ? key : "+" + key, v)) }
  }
  for case (let key, let value?) in singles { list.append((key, value)) }
  return list
}

/// Where mail goes and how it leaves.
struct MailOptions: ParsableArguments, SettingFlags {
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

  var flagValues: [(key: String, value: String)] {
    keyedFlags(
      [("MAIL_TO", mailTo)],
      [("MAIL_FROM", mailFrom), ("SENDMAIL", sendmail), ("SMTP_URL", smtpUrl)])
  }
}

/// Where pings go and how hard they are tried.
struct PingOptions: ParsableArguments, SettingFlags {
  @Option(help: "Healthchecks ping base URL. [HC_URL, default https://hc-ping.com]")
  var hcUrl: String?

  @Option(help: "One ping request's timeout, in seconds. [PING_TIMEOUT, default 10]")
  var pingTimeout: String?

  @Option(help: "Ping retries after the first try. [PING_RETRIES, default 4]")
  var pingRetries: String?

  @Flag(
    help:
      "Ping a PING-KEY/slug check with ?create=1: Healthchecks creates it when missing. [HC_CREATE]"
  )
  var hcCreate = false

  var flagValues: [(key: String, value: String)] {
    keyedFlags(
      [],
      [
        ("HC_URL", hcUrl), ("PING_TIMEOUT", pingTimeout), ("PING_RETRIES", pingRetries),
        ("HC_CREATE", hcCreate ? "yes" : nil),
      ])
  }
}

/// The run's deadline, its state and whether anything is sent.
struct RunOptions: ParsableArguments, SettingFlags {
  @Option(help: "Hard deadline for the whole run, in seconds. [TIMEOUT, default 45]")
  var timeout: String?

  @Option(help: "Where each unit's last outcome and the spool are kept. [STATE_DIRECTORY]")
  var stateDirectory: String?

  @Flag(help: "Print what would be sent (mail to stdout, pings to stderr); send nothing. [DRY_RUN]")
  var dryRun = false

  @Option(help: "Raise the alarm at the N-th failure in a row. [ALERT_AFTER, default 1]")
  var alertAfter: String?

  @Option(help: "At most one reminder an interval while still failing. [REMIND_EVERY, default 24h]")
  var remindEvery: String?

  var flagValues: [(key: String, value: String)] {
    keyedFlags(
      [],
      [
        ("TIMEOUT", timeout), ("STATE_DIRECTORY", stateDirectory),
        ("DRY_RUN", dryRun ? "yes" : nil), ("ALERT_AFTER", alertAfter),
        ("REMIND_EVERY", remindEvery),
      ])
  }
}
