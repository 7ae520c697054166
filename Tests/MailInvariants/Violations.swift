/// Broken invariants, collected: the fuzz targets trap on the first list
/// that is not empty, the tests report every entry.
public struct Violations: Sendable, CustomStringConvertible {
  public private(set) var list: [String] = []

  public init() {}

  public var isEmpty: Bool { list.isEmpty }

  public mutating func expect(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { list.append(message()) }
  }

  public mutating func fail(_ message: String) { list.append(message) }

  public mutating func append(_ other: Violations) { list += other.list }

  public var description: String { list.joined(separator: "\n") }
}

/// What the fuzz targets call: a broken invariant is a crash libFuzzer keeps.
/// fatalError, not preconditionFailure: its message survives -O.
public func trapOnViolations(_ violations: Violations, input: [UInt8]) {
  guard violations.isEmpty else {
    fatalError(
      "invariant broken (\(input.count) input bytes):\n\(violations.description)")
  }
}

/// Debug text of bytes: printable ASCII as is, the rest as \xNN.
func show(_ bytes: some Collection<UInt8>, max: Int = 200) -> String {
  var out = ""
  for b in bytes.prefix(max) {
    out += b >= 0x20 && b < 0x7F ? String(UnicodeScalar(b)) : "\\x" + hex2(b)
  }
  return bytes.count > max ? out + "…(\(bytes.count) bytes)" : out
}

func show(_ text: String, max: Int = 200) -> String { show(Array(text.utf8), max: max) }

func hex2(_ b: UInt8) -> String {
  let digits = Array("0123456789abcdef")
  return String([digits[Int(b >> 4)], digits[Int(b & 15)]])
}
