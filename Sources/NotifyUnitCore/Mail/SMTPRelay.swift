/// The SMTP relay a message is submitted to when SMTP_URL is set, instead of
/// running sendmail. A sandboxed unit needs it: NoNewPrivileges= (which most
/// of systemd's sandboxing implies for a User= service) keeps a set-uid or
/// set-gid sendmail (exim's, postfix's postdrop) from gaining the rights it
/// needs to queue a message, while a connection to 127.0.0.1:25 works.
public struct SMTPRelay: Sendable, Equatable {
  /// `smtp://host[:port]` or `smtps://host[:port]`, maybe with
  /// `user:password@`, as libcurl takes it.
  public let url: String
  /// The URL without its credentials: what messages show.
  public let redacted: String
  /// The credentials, for scrubbing errors that may echo them.
  public let secrets: [String]
  /// Credentials over smtp:// to a host other than this machine: the
  /// connection must be upgraded with STARTTLS before AUTH, or fail.
  public let requiresSTARTTLS: Bool

  public init(parsing text: String) throws(ConfigurationError) {
    let value = text.trimmingASCIIWhitespace
    let scheme = ["smtp://", "smtps://"].first { value.lowercased().hasPrefix($0) }
    guard let scheme,
      value.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }),
      !value.contains("?"), !value.contains("#")
    else {
      throw .invalid("SMTP_URL must be an smtp:// or smtps:// URL without spaces or a query")
    }
    let authority: URLAuthority
    do throws(URLAuthority.Problem) {
      authority = try URLAuthority(parsing: value)
    } catch {
      throw .invalid("SMTP_URL cannot be used: \(error)")
    }
    url = value
    secrets = authority.secrets
    requiresSTARTTLS = scheme == "smtp://" && !secrets.isEmpty && !authority.isLoopback
    redacted = scheme + (authority.userinfo == nil ? "" : "…@") + authority.hostAndPort
  }

  /// Replaces the credentials in `text` (an error from curl, say).
  public func scrub(_ text: String) -> String {
    var result = text
    for secret in secrets.sorted(by: { $0.utf8.count > $1.utf8.count }) {
      result = result.replacingAll(secret, with: "…")
    }
    return result
  }
}
