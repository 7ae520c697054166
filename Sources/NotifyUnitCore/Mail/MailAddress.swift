/// A mail address from the command line or the config file: `user@host`,
/// `Name <user@host>`, or a local recipient (`root`, `Admin <root>`), which
/// the MTA routes as every MTA does (Debian's exim hands `root` to the admin
/// named in /etc/aliases). Anything that could smuggle a header or a second
/// recipient (CR, LF, commas, angle brackets out of place) is refused.
public struct MailAddress: Sendable, Equatable, CustomStringConvertible {
  public let displayName: String?
  /// `user@host`, or a local recipient's name alone: see `qualified(domain:)`.
  public let address: String

  /// What a MAIL_TO or MAIL_FROM value may hold, for the messages that
  /// refuse one.
  public static let acceptedForms =
    "user@example.org, Name <user@example.org> or a local name such as root"

  /// A local recipient: a name without a domain.
  public var isLocal: Bool { !address.contains("@") }

  public init(parsing text: String) throws(ConfigurationError) {
    let value = text.trimmingASCIIWhitespace
    var name: String? = nil
    var addr = value
    if value.hasSuffix(">"), let open = value.lastIndex(of: "<") {
      let rawName = value[..<open].trimmingASCIIWhitespace
      name = rawName.isEmpty ? nil : rawName
      addr = String(value[value.index(after: open)..<value.index(before: value.endIndex)])
    }
    guard Self.isAddrSpec(addr) || Self.isLocalName(addr) else {
      throw .invalid(
        "not a mail address: \"\(text.sanitizedForDisplay(maxLength: 80))\" (write \(Self.acceptedForms))"
      )
    }
    if let n = name {
      let unquoted =
        n.hasPrefix("\"") && n.hasSuffix("\"") && n.count >= 2
        ? String(n.dropFirst().dropLast()) : n
      guard unquoted.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0 != "\u{7F}" }),
        !unquoted.contains("\""), !unquoted.contains("\\"), !unquoted.contains("<"),
        !unquoted.contains(">")
      else {
        throw .invalid(
          "bad display name in mail address: \"\(text.sanitizedForDisplay(maxLength: 80))\"")
      }
      name = unquoted
    }
    self.displayName = name
    self.address = addr
  }

  private init(displayName: String?, address: String) {
    self.displayName = displayName
    self.address = address
  }

  /// The address as a header and the SMTP envelope carry it. RFC 5322 wants
  /// a domain there, so a local recipient gets the MTA's own (`MailDomain`
  /// on the host), as mailx and cron write it. A domain that makes no
  /// address gives localhost.
  public func qualified(domain: String) -> MailAddress {
    guard isLocal else { return self }
    let domain = HeaderEncoding.token(domain)
    let address =
      Self.isAddrSpec("\(self.address)@\(domain)")
      ? "\(self.address)@\(domain)" : "\(self.address)@localhost"
    return MailAddress(displayName: displayName, address: address)
  }

  /// The sender when MAIL_FROM is not set: "notify-unit" at this host, or
  /// at localhost when the host's name makes no address (a name with
  /// characters an address cannot carry, which the token keeps).
  public static func defaultSender(host: String) -> MailAddress {
    (try? MailAddress(parsing: "notify-unit <notify-unit@\(HeaderEncoding.token(host))>"))
      ?? (try! MailAddress(parsing: "notify-unit@localhost"))
  }

  /// `local@domain`, printable ASCII without specials, one "@".
  static func isAddrSpec(_ s: String) -> Bool {
    let parts = s.split(separator: "@", omittingEmptySubsequences: false)
    guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, s.utf8.count <= 254 else {
      return false
    }
    let forbidden = Set("()<>[]:;,\\\" ".utf8)
    return s.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && !forbidden.contains($0) }
  }

  /// A user or alias name alone, as /etc/aliases and user names spell them:
  /// letters, digits, ".", "_", "-" and "+", starting with a letter or a
  /// digit (no option for sendmail, no pipe or file for an alias), at most
  /// RFC 5321's 64 octets of a local part.
  static func isLocalName(_ s: String) -> Bool {
    guard let first = s.utf8.first, isAlphanumeric(first), s.utf8.count <= 64 else {
      return false
    }
    return s.utf8.allSatisfy { isAlphanumeric($0) || Array("._-+".utf8).contains($0) }
  }

  static func isAlphanumeric(_ b: UInt8) -> Bool {
    (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
  }

  /// The header form: `"Name" <user@host>`, with RFC 2047 for non-ASCII
  /// names; a local recipient's only once `qualified(domain:)`.
  public var headerValue: String {
    guard let name = displayName else { return address }
    // A long name is folded as encoded words too: quoted, it would be one
    // line, over 998 octets from about 990 characters.
    let shown =
      HeaderEncoding.isPlainASCII(name) && name.utf8.count <= 60
      ? "\"\(name)\"" : HeaderEncoding.encodedWords(name, firstLineUsed: 78 - 12 - 60)
    return "\(shown) <\(address)>"
  }

  public var description: String { headerValue }
}
