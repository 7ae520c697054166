/// How each configured channel's reports travel, for `doctor`: what
/// crosses a network and whether it is encrypted. Nothing secret is shown
/// (a host, never a check, topic, token or password).
public enum ChannelTransport {
  /// `pings`: whether any unit pings Healthchecks (HC_URL is only a default).
  public static func checks(_ settings: Settings, pings: Bool) -> [DoctorCheck] {
    var checks: [DoctorCheck] = []
    if !settings.mailTo.isEmpty {
      checks.append(.pass("mail transport", mail(settings)))
    }
    if pings { checks.append(.pass("Healthchecks transport", http(settings.hcURL))) }
    if let topic = settings.ntfyURL {
      checks.append(.pass("ntfy transport", http(topic.url)))
    }
    for hook in settings.webhookURLs {
      checks.append(.pass("webhook transport", http(hook.url)))
    }
    if settings.appriseURLsFile != nil {
      checks.append(
        .pass(
          "Apprise transport",
          "\(settings.apprise) sends; each of its URLs chooses its own (prefer the TLS forms, e.g. ntfys://, mailtos://)"
        ))
    }
    if let directory = settings.prometheusTextfileDirectory {
      checks.append(
        .pass(
          "metrics transport",
          "a file in \(directory.sanitizedForDisplay(maxLength: 200)): no network"))
    }
    return checks
  }

  static func mail(_ settings: Settings) -> String {
    guard let relay = settings.smtpRelay else {
      return
        "\(settings.sendmail) hands each mail to the local MTA, which decides how it travels on"
    }
    let authority = URLAuthority.of(relay.url)
    if relay.url.lowercased().hasPrefix("smtps://") {
      return "\(relay.redacted): SMTP over TLS"
    }
    if authority?.isLoopback == true {
      return "\(relay.redacted): plain SMTP to this machine, no network"
    }
    return relay.requiresSTARTTLS
      ? "\(relay.redacted): STARTTLS required before the credentials (a relay without it is refused)"
      : "\(relay.redacted): plain SMTP, upgraded with STARTTLS only if the relay offers it (no credentials to protect)"
  }

  static func http(_ url: String) -> String {
    guard let parts = URLAuthority.of(url) else { return "not a URL" }
    let host = parts.hostAndPort.sanitizedForDisplay(maxLength: 200)
    if parts.scheme.lowercased() == "https://" { return "HTTPS to \(host)" }
    return "plain HTTP to this machine (\(host)), no network"
  }
}
