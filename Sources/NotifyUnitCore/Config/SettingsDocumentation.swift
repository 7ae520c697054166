/// What each config key means, next to `Settings.keys`: the one list that
/// notify-unit.conf(5) is generated from and that the README's table is
/// checked against (ConfigDocumentationTests), so a key cannot go
/// undocumented.
public struct SettingDocumentation: Sendable, Equatable {
  public var key: String
  /// The value placeholder of its flag (`--mail-to ADDR`); empty: a flag
  /// without a value (`--dry-run`); nil: no flag, the config file only.
  public var flagValue: String?
  /// The flag may be given more than once.
  public var repeatable = false
  /// As the README's table shows it.
  public var defaultValue: String
  public var meaning: String

  /// `--mail-to` for MAIL_TO: the command line's name of a key.
  public var flag: String? {
    flagValue.map { _ in "--" + String(key.lowercased().map { $0 == "_" ? "-" : $0 }) }
  }
}

extension Settings {
  /// Every key of `keys`, in the same order. Defaults come from `Settings()`
  /// where it has one, so a changed default changes the documentation.
  public static let documentation: [SettingDocumentation] = {
    let d = Settings()
    return [
      .init(
        key: "MAIL_TO", flagValue: "ADDR", repeatable: true, defaultValue: "none",
        meaning:
          "Recipients, separated by commas or spaces: user@example.org, Name <user@example.org>, or a local name such as root, which the MTA routes (qualified with /etc/mailname's domain, else the host's name); none means no mail."
      ),
      .init(
        key: "MAIL_FROM", flagValue: "ADDR", defaultValue: "notify-unit@HOST",
        meaning: "The sender."),
      .init(
        key: "SENDMAIL", flagValue: "PATH", defaultValue: d.sendmail,
        meaning: "The MTA's sendmail, run as sendmail -t -oi -odi."),
      .init(
        key: "SMTP_URL", flagValue: "URL", defaultValue: "none",
        meaning:
          "Submit over SMTP (smtp://127.0.0.1, smtps://host:465, credentials as user:pass@) instead of sendmail; what the sandboxed units use."
      ),
      .init(
        key: "HC_URL", flagValue: "URL", defaultValue: d.hcURL,
        meaning: "The Healthchecks ping base URL: https:// (http:// only to this machine)."),
      .init(
        key: "HC_CREATE", flagValue: "", defaultValue: d.hcCreate ? "yes" : "no",
        meaning:
          "Ping a PING-KEY/slug check with ?create=1, so Healthchecks creates it when missing (slugs: a-z, 0-9, - and _)."
      ),
      .init(
        key: "HC_API_URL", flagValue: "URL", defaultValue: "from HC_URL",
        meaning:
          "Healthchecks' Management API v3, for hc-sync; unset: HC_URL with its /ping replaced by /api/v3 (https://healthchecks.io/api/v3 for hc-ping.com)."
      ),
      .init(
        key: "HC_API_KEY_FILE", flagValue: "PATH", defaultValue: "none",
        meaning:
          "The file holding the Healthchecks project's API key (not a read-only one), for hc-sync; never printed."
      ),
      .init(
        key: "TIMEOUT", flagValue: "SECONDS", defaultValue: seconds(d.timeout),
        meaning: "The hard deadline for the whole run."),
      .init(
        key: "JOURNAL_FILE", flagValue: "PATH", repeatable: true, defaultValue: "system journal",
        meaning: "Read these journal files instead (space separated in the file)."),
      .init(
        key: "JOURNAL_DIRECTORY", flagValue: "DIR", defaultValue: "system journal",
        meaning: "Read the journal files in this directory instead."),
      .init(
        key: "DRY_RUN", flagValue: "", defaultValue: d.dryRun ? "yes" : "no",
        meaning: "Print the mail to stdout and each ping to stderr; send nothing."),
      .init(
        key: "BODY_MAX_LINES", flagValue: "N", defaultValue: String(d.bodyMaxLines),
        meaning: "Log lines in the mail body."),
      .init(
        key: "BODY_MAX_BYTES", flagValue: "N", defaultValue: String(d.bodyMaxBytes),
        meaning: "Log bytes in the mail body."),
      .init(
        key: "ATTACHMENT_MAX_BYTES", flagValue: "N", defaultValue: String(d.attachmentMaxBytes),
        meaning:
          "Attachment bytes when the body cannot show all of the log: of the log, or of its gzip"
          + " when the log is over 64 KiB (0: never attach)."),
      .init(
        key: "PING_BODY_LIMIT", flagValue: "N", defaultValue: String(d.pingBodyLimit),
        meaning:
          "Ping body bytes for a server whose own limit is not known yet (each server's Ping-Body-Limit is remembered in the state directory)."
      ),
      .init(
        key: "PING_TIMEOUT", flagValue: "SECONDS", defaultValue: seconds(d.pingTimeout),
        meaning: "One ping request's limit."),
      .init(
        key: "PING_RETRIES", flagValue: "N", defaultValue: String(d.pingRetries),
        meaning: "Ping tries after the first."),
      .init(
        key: "JOURNAL_SETTLE", flagValue: "SECONDS", defaultValue: seconds(d.journalSettle),
        meaning:
          "The longest wait for journald to store the unit's last lines (system journal or a directory)."
      ),
      .init(
        key: "MAIL_ON", flagValue: "always|failure|change",
        defaultValue: d.mailPolicy(for: "").rawValue,
        meaning:
          "Which runs are mailed: always, failures only, or change (failures, warnings, the first success after one, and a unit's first report). Per unit: MAIL_ON_ and the unit's name with every character but letters and digits as _, e.g. MAIL_ON_backup_service."
      ),
      .init(
        key: "HC_ON", flagValue: nil, defaultValue: d.policy("HC_ON", for: "").rawValue,
        meaning:
          "Which runs are pinged, as MAIL_ON (Healthchecks must see every run to know its schedule). Per unit: HC_ON_ and the unit's name, e.g. HC_ON_backup_service."
      ),
      .init(
        key: "STATE_DIRECTORY", flagValue: "DIR",
        defaultValue: "$STATE_DIRECTORY, else this user's, as above",
        meaning:
          "Where each unit's last outcome, last report and spool are kept. Unset: systemd's $STATE_DIRECTORY, else /var/lib/notify-unit for root, /var/lib/notify-unit/USER for another user when it exists, else $XDG_STATE_HOME/notify-unit or ~/.local/state/notify-unit."
      ),
      .init(
        key: "SPOOL_MAX_AGE", flagValue: nil, defaultValue: seconds(d.spoolMaxAge),
        meaning: "How long an undelivered report is kept, in seconds."),
      .init(
        key: "NTFY_URL", flagValue: nil, defaultValue: "none",
        meaning:
          "An ntfy topic's URL (https://ntfy.sh/TOPIC or a self-hosted server's): each run as a notification, the headline as its title, the verdict as priority and tags. A secret (anyone who knows the topic can read it): NTFY_URL_FILE=PATH reads it from a file."
      ),
      .init(
        key: "NTFY_TOKEN_FILE", flagValue: nil, defaultValue: "none",
        meaning: "A file whose first line is the ntfy access token (tk_...) or user:password."),
      .init(
        key: "NTFY_ON", flagValue: nil, defaultValue: d.policy("NTFY_ON", for: "").rawValue,
        meaning: "Which runs go to ntfy, as MAIL_ON; per unit NTFY_ON_backup_service."),
      .init(
        key: "WEBHOOK_URL", flagValue: nil, defaultValue: "none",
        meaning:
          "Webhook URLs (space separated): one JSON document a run to each (docs/webhook.md). A secret (a chat webhook's path is its token): WEBHOOK_URL_FILE=PATH reads it from a file."
      ),
      .init(
        key: "WEBHOOK_FORMAT", flagValue: nil, defaultValue: d.webhookFormat.rawValue,
        meaning:
          "json (notify-unit's document) or slack (Slack's incoming-webhook form, which Mattermost, Rocket.Chat and Discord's /slack endpoint take too)."
      ),
      .init(
        key: "WEBHOOK_AUTHORIZATION_FILE", flagValue: nil, defaultValue: "none",
        meaning: "A file whose first line is the webhooks' Authorization header value."),
      .init(
        key: "WEBHOOK_ON", flagValue: nil, defaultValue: d.policy("WEBHOOK_ON", for: "").rawValue,
        meaning: "Which runs go to the webhooks, as MAIL_ON; per unit WEBHOOK_ON_backup_service."),
      .init(
        key: "APPRISE_URLS", flagValue: nil, defaultValue: "none",
        meaning:
          "A file of Apprise URLs, one a line (Telegram, Matrix, Discord, Pushover, Gotify, Teams...), handed to the apprise command; keep it readable only by the reporting users."
      ),
      .init(
        key: "APPRISE", flagValue: nil, defaultValue: d.apprise,
        meaning: "The apprise command (Debian's apprise package)."),
      .init(
        key: "APPRISE_ON", flagValue: nil, defaultValue: d.policy("APPRISE_ON", for: "").rawValue,
        meaning: "Which runs go to Apprise, as MAIL_ON; per unit APPRISE_ON_backup_service."),
      .init(
        key: "PROMETHEUS_TEXTFILE_DIRECTORY", flagValue: nil, defaultValue: "none",
        meaning:
          "node_exporter's textfile directory (Debian: /var/lib/prometheus/node-exporter): after each report, the unit's metrics in notify-unit_UNIT.prom."
      ),
      .init(
        key: "ALERT_AFTER", flagValue: "N", defaultValue: "1",
        meaning:
          "The failure in a row that raises the alarm: the first N-1 are recorded, pinged to Healthchecks as /log (the check stays up) and sent to mail and push only under their *_ON=always, saying \"failure 1 of 3 before an alert\"; the N-th goes to every channel, \"failed 3 runs in a row\" before its reason. Per unit: ALERT_AFTER_ and the unit's name, e.g. ALERT_AFTER_backup_service."
      ),
      .init(
        key: "REMIND_EVERY", flagValue: "DURATION", defaultValue: "24h",
        meaning:
          "While a unit stays failed after its alarm, later failures go to Healthchecks but to mail and push at most once an interval (30m, 24h, 7d), as a reminder with the count and the latest reason; 0 sends every failure. The recovery says what it recovers from. Per unit: REMIND_EVERY_ and the unit's name."
      ),
    ]
  }()

  static func seconds(_ value: Double) -> String {
    value == value.rounded() ? String(Int(value)) : String(value)
  }
}
