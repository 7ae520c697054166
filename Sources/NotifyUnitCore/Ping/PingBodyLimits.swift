/// The `Ping-Body-Limit` each Healthchecks server announced, kept between
/// runs so that a report's body is cut for the server's real limit before it
/// is sent: a server keeps only the *first* bytes of a body, and a client
/// that learns the limit from the reply has already lost the log's tail.
///
/// Kept per server, by its origin (scheme, host and port), never by the
/// check: the check is a secret, and the limit is the server's.
public struct PingBodyLimits: Sendable, Equatable {
  /// Limits by origin ("https://hc-ping.com:443").
  public private(set) var limits: [String: Int] = [:]

  public init(limits: [String: Int] = [:]) { self.limits = limits }

  static let header = "notify-unit-ping-body-limits 1"

  public func limit(for origin: String) -> Int? { limits[origin] }

  /// Remembers `limit` for `origin`; true when that changed what was known.
  @discardableResult
  public mutating func learn(_ limit: Int, for origin: String) -> Bool {
    guard limit >= 0, limits[origin] != limit else { return false }
    limits[origin] = limit
    return true
  }

  /// The file's text; nil when it is not such a file.
  public static func parse(_ text: String) -> PingBodyLimits? {
    let lines = text.split(separator: "\n")
    guard lines.first == Substring(header) else { return nil }
    var result = PingBodyLimits()
    for line in lines.dropFirst() {
      let fields = line.split(separator: " ")
      guard fields.count == 2, let n = Int(fields[1]), n >= 0 else { return nil }
      result.limits[String(fields[0])] = n
    }
    return result
  }

  public var formatted: String {
    ([Self.header] + limits.keys.sorted().map { "\($0) \(limits[$0]!)" })
      .joined(separator: "\n") + "\n"
  }

  /// "scheme://host:port" of an http(s) URL: lower case, the default port
  /// written out, without `user:password@` or path; nil for another URL.
  public static func origin(of url: String) -> String? {
    guard let parts = PingTarget.split(url) else { return nil }
    let root = parts.shownRoot.lowercased()
    let https = root.hasPrefix("https://")
    let authority = root.dropFirst(https ? 8 : 7)
    // An IPv6 literal has colons of its own: a port follows its "]".
    let hostEnd = authority.lastIndex(of: "]") ?? authority.startIndex
    let hasPort = authority[hostEnd...].contains(":")
    guard authority.allSatisfy({ $0.isASCII && $0 != " " }) else { return nil }
    return hasPort ? root : root + (https ? ":443" : ":80")
  }
}
