/// A mail address from the command line or the config file: `user@host` or
/// `Name <user@host>`. Anything that could smuggle a header or a second
/// recipient (CR, LF, commas, angle brackets out of place) is refused.
public struct MailAddress: Sendable, Equatable, CustomStringConvertible {
  public let displayName: String?
  public let address: String

  public init(parsing text: String) throws(ConfigurationError) {
    let value = text.trimmingASCIIWhitespace
    var name: String? = nil
    var addr = value
    if value.hasSuffix(">"), let open = value.lastIndex(of: "<") {
      let rawName = value[..<open].trimmingASCIIWhitespace
      name = rawName.isEmpty ? nil : rawName
      addr = String(value[value.index(after: open)..<value.index(before: value.endIndex)])
    }
    guard Self.isAddrSpec(addr) else {
      throw .invalid("not a mail address: \"\(text.sanitizedForDisplay(maxLength: 80))\"")
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

  /// The header form: `"Name" <user@host>`, with RFC 2047 for non-ASCII names.
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
