import NotifyUnitCore

/// The Ping-Body-Limit of each Healthchecks server seen, in the state
/// directory's `ping-body-limits` (one line a server: its origin and its
/// limit; no check, nothing secret). A file that cannot be read as one is
/// ignored and replaced at the next change: it only saves a follow-up ping.
public struct PingBodyLimitStore: Sendable {
  public let directory: String
  public var path: String { directory + "/ping-body-limits" }

  public init(directory: String) { self.directory = directory }

  public func read() -> PingBodyLimits {
    // Another user's file or a link is not one notify-unit wrote: ignored.
    guard let trusted = try? TrustedDirectory(directory, what: "the state directory"),
      let bytes = try? trusted.read("ping-body-limits", maxBytes: 64 << 10)
    else { return PingBodyLimits() }
    return PingBodyLimits.parse(String(decoding: bytes, as: UTF8.self)) ?? PingBodyLimits()
  }

  /// The limit known for `origin`, if any.
  public func limit(for origin: String) -> Int? { read().limit(for: origin) }

  /// Keeps `limit` for `origin` when it is new or changed; true if written.
  @discardableResult
  public func learn(_ limit: Int, for origin: String) throws(FileError) -> Bool {
    let trusted = try TrustedDirectory(directory, what: "the state directory")
    return try trusted.withLock { () throws(FileError) -> Bool in
      var limits = read()
      guard limits.learn(limit, for: origin) else { return false }
      try trusted.replace("ping-body-limits", with: Array(limits.formatted.utf8), mode: 0o640)
      return true
    }
  }
}
