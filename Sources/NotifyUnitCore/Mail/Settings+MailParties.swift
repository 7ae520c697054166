extension Settings {
  /// MAIL_TO as the headers and the SMTP envelope name it, a local
  /// recipient qualified with the MTA's domain (`MailAddress.qualified`).
  public func mailRecipients(domain: String) -> [MailAddress] {
    mailTo.map { $0.qualified(domain: domain) }
  }

  /// MAIL_FROM, qualified as the recipients are, or notify-unit at this host.
  public func mailSender(host: String, domain: String) -> MailAddress {
    mailFrom?.qualified(domain: domain) ?? .defaultSender(host: host)
  }
}
