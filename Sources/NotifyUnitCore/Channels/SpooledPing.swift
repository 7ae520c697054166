/// A Healthchecks ping as the spool keeps it until it is delivered: its URL
/// (a secret: the file is 0600) on the first line, then the body's exact
/// bytes.
public struct SpooledPing: Sendable, Equatable {
  public var url: String
  public var body: [UInt8]

  public init(url: String, body: [UInt8]) {
    self.url = url
    self.body = body
  }

  public var encoded: [UInt8] { Array(url.utf8) + [0x0A] + body }

  /// The ping in `bytes`; nil when they are not one: no line break, or a
  /// first line that is not an http(s) URL in printable ASCII (what
  /// notify-unit writes: its URLs are checked). Split by bytes: the
  /// body is kept as it was, invalid UTF-8 and all.
  public static func decode(_ bytes: [UInt8]) -> SpooledPing? {
    guard let newline = bytes.firstIndex(of: 0x0A) else { return nil }
    let line = bytes[..<newline]
    guard line.starts(with: Array("https://".utf8)) || line.starts(with: Array("http://".utf8)),
      line.allSatisfy({ $0 > 0x20 && $0 < 0x7F })
    else { return nil }
    return SpooledPing(
      url: String(decoding: line, as: UTF8.self), body: Array(bytes[(newline + 1)...]))
  }
}
