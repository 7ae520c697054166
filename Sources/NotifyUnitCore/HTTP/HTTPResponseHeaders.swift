/// An HTTP answer's header lines as libcurl hands them over, one at a time:
/// names lower-cased, values without the white space around them, the last
/// of a repeated header kept. A status line starts a new answer (after a
/// 100 Continue or a proxy's 200), so only the final answer's headers stay.
public struct HTTPResponseHeaders: Sendable, Equatable {
  public private(set) var values: [String: String] = [:]

  public init(_ values: [String: String] = [:]) { self.values = values }

  public subscript(name: String) -> String? { values[name] }

  /// One line, with or without its CR LF; a line without a colon (the
  /// blank line that ends the head) changes nothing.
  public mutating func take(line bytes: some BidirectionalCollection<UInt8>) {
    if bytes.starts(with: Self.statusLinePrefix) {
      values = [:]
      return
    }
    guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")) else { return }
    let isSpace = { (b: UInt8) in b == 0x20 || b == 0x09 || b == 0x0D || b == 0x0A }
    var value = bytes[bytes.index(after: colon)...].drop(while: isSpace)
    while let last = value.last, isSpace(last) { value = value.dropLast() }
    let name = String(decoding: bytes[..<colon], as: UTF8.self).lowercased()
    values[name] = String(decoding: value, as: UTF8.self)
  }

  static let statusLinePrefix = Array("HTTP/".utf8)

  /// Healthchecks' `Ping-Body-Limit` (bytes it keeps of a ping's body);
  /// nil when absent or not a number.
  public var pingBodyLimit: Int? { values["ping-body-limit"].flatMap { decimalCount($0.utf8) } }

  /// `Retry-After`, as sent.
  public var retryAfter: String? { values["retry-after"] }
}
