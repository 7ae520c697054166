/// Every setting of a run, with its default. The config file and the
/// command line both set values through `set(_:_:)`, by the same key names
/// (`MAIL_TO` in the file is `--mail-to` on the command line), so both are
/// validated by the same code; flags are applied last and win.
public struct Settings: Sendable, Equatable {
  public var mailTo: [MailAddress] = []
  public var mailFrom: MailAddress? = nil
  public var sendmail = "/usr/sbin/sendmail"
  /// When set, mail is submitted over SMTP to this relay, not to sendmail.
  public var smtpRelay: SMTPRelay? = nil
  public var hcURL = PingTarget.defaultBaseURL
  /// Ping a `PING-KEY/slug` check with `?create=1`, creating it if missing.
  public var hcCreate = false
  /// Healthchecks' Management API (for `hc-sync`); nil: derived from HC_URL.
  public var hcAPIURL: String? = nil
  /// The file holding the project's API key (for `hc-sync`).
  public var hcAPIKeyFile: String? = nil
  /// The whole run's deadline: well under systemd's default 90 s stop timeout.
  public var timeout = 45.0
  public var journalFiles: [String] = []
  public var journalDirectory: String? = nil
  public var dryRun = false
  public var bodyMaxLines = MailSettings.defaultBodyMaxLines
  public var bodyMaxBytes = MailSettings.defaultBodyMaxBytes
  public var attachmentMaxBytes = MailSettings.defaultAttachmentMaxBytes
  public var pingBodyLimit = PingBody.defaultLimit
  /// One ping request's limit.
  public var pingTimeout = 10.0
  /// Tries after the first one.
  public var pingRetries = 4
  /// How long to wait at most for journald to store the unit's last lines.
  public var journalSettle = 3.0
  /// When each channel reports a run, by its policy key (MAIL_ON, HC_ON)
  /// and per-unit overrides (MAIL_ON_backup_service, see
  /// `MailPolicy.overrideKey`); a key not set takes `defaultPolicies`.
  public var policies: [String: MailPolicy] = [:]
  /// Where the last outcome of each unit is kept; nil: the default place.
  public var stateDirectory: String? = nil
  /// ntfy: the topic URL (a secret: anyone who knows it can read), and the
  /// file with its access token (`tk_…`) or `user:password`.
  public var ntfyURL: WebURL? = nil
  public var ntfyTokenFile: String? = nil
  /// Webhooks: each gets one POST a run, in `webhookFormat`, with the
  /// Authorization header's value from a file.
  public var webhookURLs: [WebURL] = []
  public var webhookFormat = WebhookPayload.Format.json
  public var webhookAuthorizationFile: String? = nil
  /// Apprise: the file of Apprise URLs, and the command that reads it.
  public var appriseURLsFile: String? = nil
  public var apprise = "/usr/bin/apprise"
  /// node_exporter's textfile collector directory: a metrics file a unit.
  public var prometheusTextfileDirectory: String? = nil
  /// How long an undelivered report is kept in the spool: a week.
  public var spoolMaxAge = 7 * 24 * 3600.0
  /// ALERT_AFTER and REMIND_EVERY (seconds), by key and per-unit override
  /// key (ALERT_AFTER_backup_service, as `MailPolicy.overrideKey`).
  public var alertAfter: [String: UInt64] = [:]
  public var remindEvery: [String: Double] = [:]

  /// The alerting rules of `unit`: its overrides, else the keys' values,
  /// else an alarm on the first failure and a reminder a day.
  public func alertRules(for unit: String) -> AlertRules {
    AlertRules(
      alertAfter: alertAfter[MailPolicy.overrideKey(for: unit, channelKey: "ALERT_AFTER")]
        ?? alertAfter["ALERT_AFTER"] ?? 1,
      remindEvery: remindEvery[MailPolicy.overrideKey(for: unit, channelKey: "REMIND_EVERY")]
        ?? remindEvery["REMIND_EVERY"] ?? 86400)
  }

  /// Each channel's policy key and its default: mail only when it tells
  /// something, Healthchecks every run (it must see each to know the schedule).
  public static let defaultPolicies: [String: MailPolicy] = [
    "MAIL_ON": .change, "HC_ON": .always, "NTFY_ON": .change, "WEBHOOK_ON": .always,
    "APPRISE_ON": .change,
  ]

  /// The policy of a channel (`key`: MAIL_ON, HC_ON) for `unit`: the unit's
  /// override, else the key's value, else its default.
  public func policy(_ key: String, for unit: String) -> MailPolicy {
    policies[MailPolicy.overrideKey(for: unit, channelKey: key)] ?? policies[key]
      ?? Self.defaultPolicies[key] ?? .always
  }

  /// The mail policy of `unit`: its override, else MAIL_ON.
  public func mailPolicy(for unit: String) -> MailPolicy { policy("MAIL_ON", for: unit) }

  public init() {}

  public static let keys = [
    "MAIL_TO", "MAIL_FROM", "SENDMAIL", "SMTP_URL", "HC_URL", "HC_CREATE", "HC_API_URL",
    "HC_API_KEY_FILE", "TIMEOUT", "JOURNAL_FILE",
    "JOURNAL_DIRECTORY", "DRY_RUN", "BODY_MAX_LINES", "BODY_MAX_BYTES",
    "ATTACHMENT_MAX_BYTES", "PING_BODY_LIMIT", "PING_TIMEOUT", "PING_RETRIES",
    "JOURNAL_SETTLE", "MAIL_ON", "HC_ON", "STATE_DIRECTORY", "SPOOL_MAX_AGE", "NTFY_URL",
    "NTFY_TOKEN_FILE", "NTFY_ON", "WEBHOOK_URL", "WEBHOOK_FORMAT", "WEBHOOK_AUTHORIZATION_FILE",
    "WEBHOOK_ON", "APPRISE_URLS", "APPRISE", "APPRISE_ON", "PROMETHEUS_TEXTFILE_DIRECTORY",
    "ALERT_AFTER", "REMIND_EVERY",
  ]

  /// Sets one value. List keys (MAIL_TO, JOURNAL_FILE) replace the list;
  /// `append: true` adds to it (a repeated flag).
  public mutating func set(_ key: String, _ value: String, append: Bool = false)
    throws(ConfigurationError)
  {
    switch key {
    case "MAIL_TO":
      let list = try Self.addresses(value)
      mailTo = append ? mailTo + list : list
    case "MAIL_FROM":
      mailFrom = value.trimmingASCIIWhitespace.isEmpty ? nil : try MailAddress(parsing: value)
    case "SENDMAIL":
      guard value.hasPrefix("/") else { throw .invalid("SENDMAIL must be an absolute path") }
      sendmail = value
    case "SMTP_URL":
      smtpRelay = value.trimmingASCIIWhitespace.isEmpty ? nil : try SMTPRelay(parsing: value)
    case "HC_URL":
      _ = try PingTarget(check: "00000000-0000-0000-0000-000000000000", baseURL: value)
      hcURL = value
    case "HC_CREATE": hcCreate = try Self.boolean(key, value)
    case "HC_API_URL":
      guard !value.trimmingASCIIWhitespace.isEmpty else {
        hcAPIURL = nil
        return
      }
      guard PingTarget.split(value.trimmingASCIIWhitespace) != nil else {
        throw .invalid(
          "HC_API_URL must be an http(s) URL such as https://healthchecks.io/api/v3, not \"\(PingTarget.withoutUserinfo(value).sanitizedForDisplay(maxLength: 80))\""
        )
      }
      if let refusal = URLAuthority.of(value.trimmingASCIIWhitespace)?.cleartextRefusal {
        throw .invalid("HC_API_URL cannot be used (it carries the API key): \(refusal)")
      }
      hcAPIURL = value.trimmingASCIIWhitespace
    case "HC_API_KEY_FILE":
      guard value.isEmpty || value.hasPrefix("/") else {
        throw .invalid("HC_API_KEY_FILE must be an absolute path")
      }
      hcAPIKeyFile = value.isEmpty ? nil : value
    case "TIMEOUT": timeout = try Self.seconds(key, value, range: 1...3600)
    case "JOURNAL_FILE":
      let paths = value.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
      journalFiles = append ? journalFiles + paths : paths
    case "JOURNAL_DIRECTORY": journalDirectory = value.isEmpty ? nil : value
    case "DRY_RUN": dryRun = try Self.boolean(key, value)
    case "BODY_MAX_LINES": bodyMaxLines = try Self.integer(key, value, range: 0...1_000_000)
    case "BODY_MAX_BYTES": bodyMaxBytes = try Self.integer(key, value, range: 0...(16 << 20))
    case "ATTACHMENT_MAX_BYTES":
      attachmentMaxBytes = try Self.integer(key, value, range: 0...(40 << 20))
    case "PING_BODY_LIMIT": pingBodyLimit = try Self.integer(key, value, range: 0...(10 << 20))
    case "PING_TIMEOUT": pingTimeout = try Self.seconds(key, value, range: 0.1...600)
    case "PING_RETRIES": pingRetries = try Self.integer(key, value, range: 0...20)
    case "JOURNAL_SETTLE": journalSettle = try Self.seconds(key, value, range: 0...60)
    case "SPOOL_MAX_AGE": spoolMaxAge = try Self.seconds(key, value, range: 60...(366 * 86400))
    case _ where key == "ALERT_AFTER" || key.hasPrefix("ALERT_AFTER_"):
      alertAfter[key] = UInt64(try Self.integer(key, value, range: 1...10000))
    case _ where key == "REMIND_EVERY" || key.hasPrefix("REMIND_EVERY_"):
      remindEvery[key] = try Self.duration(key, value, range: 0...(366 * 86400))
    case _ where Self.defaultPolicies.keys.contains(where: { key == $0 || key.hasPrefix($0 + "_") }):
      policies[key] = try Self.policy(key, value)
    case "NTFY_URL":
      ntfyURL = value.trimmingASCIIWhitespace.isEmpty ? nil : try WebURL(parsing: value, key: key)
    case "NTFY_TOKEN_FILE": ntfyTokenFile = try Self.path(key, value)
    case "WEBHOOK_URL":
      var list: [WebURL] = []
      for url in value.split(whereSeparator: { $0 == " " || $0 == "\t" }) {
        list.append(try WebURL(parsing: String(url), key: key))
      }
      webhookURLs = append ? webhookURLs + list : list
    case "WEBHOOK_FORMAT":
      guard let format = WebhookPayload.Format(rawValue: value.trimmingASCIIWhitespace.lowercased())
      else {
        throw .invalid(
          "WEBHOOK_FORMAT must be json or slack, not \"\(value.sanitizedForDisplay(maxLength: 40))\""
        )
      }
      webhookFormat = format
    case "WEBHOOK_AUTHORIZATION_FILE": webhookAuthorizationFile = try Self.path(key, value)
    case "APPRISE_URLS": appriseURLsFile = try Self.path(key, value)
    case "APPRISE":
      guard value.hasPrefix("/") else { throw .invalid("APPRISE must be an absolute path") }
      apprise = value
    case "PROMETHEUS_TEXTFILE_DIRECTORY": prometheusTextfileDirectory = try Self.path(key, value)
    case "STATE_DIRECTORY":
      guard value.isEmpty || value.hasPrefix("/") else {
        throw .invalid("STATE_DIRECTORY must be an absolute path")
      }
      stateDirectory = value.isEmpty ? nil : value
    default:
      throw .invalid(Self.unknownKeyMessage(key))
    }
  }

  /// Keys whose value can hold a secret (a URL's `user:password@`). Each
  /// can be read from a file instead, by `KEY_FILE=PATH`, so the secret
  /// need not sit in a file every reporting user can read.
  public static let secretKeys = ["HC_URL", "SMTP_URL", "NTFY_URL", "WEBHOOK_URL"]

  /// The secret keys the config text set with credentials in it: a config
  /// file others can read should not hold them.
  public private(set) var secretsInConfigText: [String] = []

  /// Applies a config file's text; returns one message per problem, each
  /// naming the line. Bad lines are skipped, the rest still applies.
  /// `readFile` reads a `KEY_FILE` (its first line is the value).
  public mutating func apply(
    configText: String,
    readFile: (String) -> Result<String, ConfigurationError> = { _ in
      .failure(.invalid("files cannot be read here"))
    }
  ) -> [String] {
    let (assignments, problems) = EnvironmentFile.parse(configText)
    var messages = problems.map(\.description)
    for a in assignments {
      do throws(ConfigurationError) {
        if a.key.hasSuffix("_FILE"), Self.secretKeys.contains(String(a.key.dropLast(5))) {
          let key = String(a.key.dropLast(5))
          let text = try readFile(a.value).get()
          try set(key, text.firstLineTrimmed)
          continue
        }
        try set(a.key, a.value)
        if Self.secretKeys.contains(a.key), holdsCredentials(a.key) {
          secretsInConfigText.append(a.key)
        }
      } catch {
        messages.append("line \(a.line): \(error)")
      }
    }
    return messages
  }

  func holdsCredentials(_ key: String) -> Bool {
    switch key {
    case "HC_URL": PingTarget.split(hcURL)?.userinfo != nil
    case "SMTP_URL": smtpRelay?.secrets.isEmpty == false
    // The topic or the webhook's path is the secret itself.
    case "NTFY_URL": ntfyURL != nil
    case "WEBHOOK_URL": !webhookURLs.isEmpty
    default: false
    }
  }

  /// `a@x, b@y` or `a@x b@y`; names with spaces need commas: `A <a@x>, b@y`;
  /// a comma inside a quoted name is part of it: `"Doe, J" <j@x>`.
  static func addresses(_ value: String) throws(ConfigurationError) -> [MailAddress] {
    let separators: Set<Character> = value.contains("<") ? [","] : [",", " ", "\t"]
    var parts: [String] = []
    var current = ""
    var quoted = false
    for c in value {
      if c == "\"" { quoted.toggle() }
      if !quoted, separators.contains(c) {
        parts.append(current)
        current = ""
      } else {
        current.append(c)
      }
    }
    parts.append(current)
    var result: [MailAddress] = []
    for part in parts {
      let text = part.trimmingASCIIWhitespace
      if !text.isEmpty { result.append(try MailAddress(parsing: text)) }
    }
    return result
  }

  static func integer(_ key: String, _ value: String, range: ClosedRange<Int>)
    throws(ConfigurationError) -> Int
  {
    guard let n = Int(value.trimmingASCIIWhitespace), range.contains(n) else {
      throw .invalid(
        "\(key) must be a whole number from \(range.lowerBound) to \(range.upperBound), not \"\(value.sanitizedForDisplay(maxLength: 40))\""
      )
    }
    return n
  }

  static func seconds(_ key: String, _ value: String, range: ClosedRange<Double>)
    throws(ConfigurationError) -> Double
  {
    var text = value.trimmingASCIIWhitespace
    if text.hasSuffix("s") { text.removeLast() }
    guard let n = plainDecimal(text), range.contains(n) else {
      throw .invalid(
        "\(key) must be seconds from \(range.lowerBound) to \(range.upperBound), not \"\(value.sanitizedForDisplay(maxLength: 40))\""
      )
    }
    return n
  }

  /// Digits with at most one point among them: "7\0junk" (which Double()
  /// reads as 7, stopping at the NUL), "1e3", "0x10" and "inf" are not.
  static func plainDecimal(_ text: String) -> Double? {
    let bytes = Array(text.utf8)
    let digits = bytes.filter { (0x30...0x39).contains($0) }.count
    let points = bytes.filter { $0 == 0x2E }.count
    guard digits > 0, digits + points == bytes.count, points <= 1 else { return nil }
    return Double(text)
  }

  /// A duration: a number with s, m, h, d or w after it (plain seconds
  /// without), e.g. 24h, 90m, 0.
  static func duration(_ key: String, _ value: String, range: ClosedRange<Double>)
    throws(ConfigurationError) -> Double
  {
    var text = value.trimmingASCIIWhitespace.lowercased()
    let units: [(String, Double)] = [("s", 1), ("m", 60), ("h", 3600), ("d", 86400), ("w", 604800)]
    var scale = 1.0
    if let (suffix, factor) = units.first(where: { text.hasSuffix($0.0) }) {
      text.removeLast(suffix.count)
      scale = factor
    }
    guard let n = plainDecimal(text), range.contains(n * scale) else {
      throw .invalid(
        "\(key) must be a duration such as 30m, 24h or 7d (0 for none), from \(Int(range.lowerBound)) s to \(Int(range.upperBound / 86400)) d, not \"\(value.sanitizedForDisplay(maxLength: 40))\""
      )
    }
    return n * scale
  }

  static func policy(_ key: String, _ value: String) throws(ConfigurationError) -> MailPolicy {
    guard let policy = MailPolicy(rawValue: value.trimmingASCIIWhitespace.lowercased()) else {
      throw .invalid(
        "\(key) must be always, failure or change, not \"\(value.sanitizedForDisplay(maxLength: 40))\""
      )
    }
    return policy
  }

  /// An absolute path, or nil for an empty value (unset).
  static func path(_ key: String, _ value: String) throws(ConfigurationError) -> String? {
    let text = value.trimmingASCIIWhitespace
    guard !text.isEmpty else { return nil }
    guard text.hasPrefix("/") else { throw .invalid("\(key) must be an absolute path") }
    return text
  }

  static func boolean(_ key: String, _ value: String) throws(ConfigurationError) -> Bool {
    switch value.trimmingASCIIWhitespace.lowercased() {
    case "1", "yes", "true", "on": return true
    case "0", "no", "false", "off", "": return false
    default:
      throw .invalid(
        "\(key) must be yes or no, not \"\(value.sanitizedForDisplay(maxLength: 40))\"")
    }
  }
}
