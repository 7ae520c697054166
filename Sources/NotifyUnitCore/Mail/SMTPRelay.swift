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
    let rest = value.dropFirst(scheme.count)
    let authority = rest.prefix { $0 != "/" }
    var host = Substring(authority)
    var secrets: [String] = []
    if let at = authority.lastIndex(of: "@") {
      secrets.append(String(authority[..<at]))
      if let colon = authority[..<at].firstIndex(of: ":") {
        secrets.append(String(authority[authority.index(after: colon)..<at]))
      }
      host = authority[authority.index(after: at)...]
    }
    guard !host.isEmpty, !host.hasPrefix(":") else {
      throw .invalid("SMTP_URL names no host")
    }
    url = value
    self.secrets = secrets.filter { !$0.isEmpty }
    requiresSTARTTLS =
      scheme == "smtp://" && !self.secrets.isEmpty && !Self.isLoopback(host: String(host))
    redacted = scheme + (secrets.isEmpty ? "" : "…@") + host
  }

  /// Whether `authority` (host, maybe `:port`, an IPv6 address in
  /// brackets) is this machine: localhost, 127.0.0.0/8 or ::1.
  static func isLoopback(host authority: String) -> Bool {
    var host = authority.lowercased()
    if host.hasPrefix("[") {
      host = String(host.dropFirst().prefix { $0 != "]" })
      return host == "::1" || host == "0:0:0:0:0:0:0:1"
    }
    host = String(host.prefix { $0 != ":" })
    if host == "localhost" || host.hasSuffix(".localhost") { return true }
    let octets = host.split(separator: ".", omittingEmptySubsequences: false)
    return octets.count == 4 && octets[0] == "127"
      && octets.allSatisfy { o in
        !o.isEmpty && o.count <= 3 && o.allSatisfy(\.isASCII) && UInt8(o) != nil
      }
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
