/// A URL's authority as RFC 3986 (§3.2) reads it, the one parser behind
/// every URL notify-unit shows or uses: after "scheme://", the authority
/// ends at the first "/", "?" or "#"; a userinfo ("user:password", a
/// secret) ends at its last "@"; then the host, an IPv6 address in
/// brackets or a name, and an optional port of digits. A password holding
/// an unescaped "/" (`http://user:Pa/ss@host`) leaves a port that is not
/// digits: refused, never shown, as curl would read it otherwise.
public struct URLAuthority: Sendable, Equatable {
  /// "https://", as written.
  public let scheme: String
  public let userinfo: String?
  /// "host" or "host:port" (brackets kept), without the userinfo.
  public let hostAndPort: String
  /// The path, query and fragment ("" when none).
  public let rest: String

  public enum Problem: Error, Sendable, Equatable, CustomStringConvertible {
    case noScheme, noHost, badPort

    public var description: String {
      switch self {
      case .noScheme: "it is not a scheme://host URL"
      case .noHost: "it names no host"
      case .badPort:
        "its port is not a number (a user name or password must have \"/\", \"?\", \"#\" and \"@\" percent-encoded: %2F %3F %23 %40)"
      }
    }
  }

  public init(parsing url: some StringProtocol) throws(Problem) {
    let text = Substring(url)
    guard let schemeEnd = text.range(of: "://"), !text[..<schemeEnd.lowerBound].isEmpty else {
      throw .noScheme
    }
    scheme = String(text[..<schemeEnd.upperBound])
    let afterScheme = text[schemeEnd.upperBound...]
    let end = afterScheme.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? afterScheme.endIndex
    var authority = afterScheme[..<end]
    if let at = authority.lastIndex(of: "@") {
      userinfo = String(authority[..<at])
      authority = authority[authority.index(after: at)...]
    } else {
      userinfo = nil
    }
    rest = String(afterScheme[end...])
    var port: Substring
    if authority.hasPrefix("[") {
      guard let close = authority.firstIndex(of: "]"),
        close > authority.index(after: authority.startIndex)
      else { throw .noHost }
      port = authority[authority.index(after: close)...]
      guard port.isEmpty || port.hasPrefix(":") else { throw .badPort }
    } else {
      port = authority.drop { $0 != ":" }
      guard port.count < authority.count else { throw .noHost }
    }
    if port.hasPrefix(":") { port = port.dropFirst() }
    guard port.allSatisfy({ $0.isASCII && $0.isNumber }), port.count <= 5 else { throw .badPort }
    hostAndPort = String(authority)
  }

  /// The URL parsed, or nil when it is not one.
  public static func of(_ url: some StringProtocol) -> URLAuthority? {
    try? URLAuthority(parsing: url)
  }

  /// Why `url` has no authority to use, for an error's end ("" when it has).
  public static func why(_ url: some StringProtocol) -> String {
    do throws(Problem) {
      _ = try URLAuthority(parsing: url)
      return ""
    } catch {
      return ": \(error)"
    }
  }

  /// "scheme://host[:port]": what may be shown of it.
  public var shownRoot: String { scheme + hostAndPort }

  /// The userinfo and its password alone, for scrubbing echoed text.
  public var secrets: [String] {
    guard let userinfo, !userinfo.isEmpty else { return [] }
    let password = userinfo.drop { $0 != ":" }.dropFirst()
    return [userinfo] + (password.isEmpty ? [] : [String(password)])
  }

  /// The host without port or brackets, lower-cased.
  public var host: String {
    let lower = hostAndPort.lowercased()
    if lower.hasPrefix("[") { return String(lower.dropFirst().prefix { $0 != "]" }) }
    return String(lower.prefix { $0 != ":" })
  }

  /// This machine: localhost (and *.localhost), 127.0.0.0/8 or ::1. What
  /// may carry credentials in clear, as nothing crosses a network.
  public var isLoopback: Bool {
    let host = host
    if host == "::1" || host == "0:0:0:0:0:0:0:1" { return true }
    if host == "localhost" || host.hasSuffix(".localhost") { return true }
    let octets = host.split(separator: ".", omittingEmptySubsequences: false)
    return octets.count == 4 && octets[0] == "127"
      && octets.allSatisfy { o in
        !o.isEmpty && o.count <= 3 && o.allSatisfy(\.isASCII) && UInt8(o) != nil
      }
  }

  /// Why a request to this URL may not carry a secret (every request of
  /// notify-unit's does: a check, a topic, a token): plain http:// to
  /// another machine. nil for https:// and for this machine.
  public var cleartextRefusal: String? {
    guard scheme.lowercased() == "http://", !isLoopback else { return nil }
    return
      "over http:// to \(host.sanitizedForDisplay(maxLength: 80)) its secret would cross the network in clear: use https:// (http:// only to this machine: 127.0.0.1, ::1, localhost)"
  }
}
