/// Splits a fuzz input into fields at a two-byte separator (RS RS, 0x1E
/// 0x1E), so corpus files stay readable and hand-written seeds are easy: any
/// other byte, NUL, CR, LF and invalid UTF-8 included, can be in a field.
public struct FuzzFields: Sendable {
  public static let separator: [UInt8] = [0x1E, 0x1E]
  public private(set) var fields: [[UInt8]]

  public init(_ bytes: [UInt8]) {
    var fields: [[UInt8]] = []
    var start = 0
    var i = 0
    while i + 1 < bytes.count {
      if bytes[i] == 0x1E, bytes[i + 1] == 0x1E {
        fields.append(Array(bytes[start..<i]))
        i += 2
        start = i
      } else {
        i += 1
      }
    }
    fields.append(Array(bytes[start...]))
    self.fields = fields
  }

  /// Joins fields into one input: the inverse of `init` for fields without
  /// the separator (the property tests and the seeds use it).
  public static func join(_ fields: [[UInt8]]) -> [UInt8] {
    var out: [UInt8] = []
    for (i, f) in fields.enumerated() {
      if i > 0 { out += separator }
      out += f
    }
    return out
  }

  public subscript(_ index: Int) -> [UInt8] { index < fields.count ? fields[index] : [] }

  /// The field as text, invalid UTF-8 repaired the way every input is.
  public func text(_ index: Int) -> String { String(decoding: self[index], as: UTF8.self) }

  /// The field as text, or nil when it is absent.
  public func optionalText(_ index: Int) -> String? {
    index < fields.count ? text(index) : nil
  }

  /// Byte `offset` of field `index`, or `fallback` when the field is shorter.
  public func byte(_ index: Int, _ offset: Int, default fallback: UInt8) -> UInt8 {
    let f = self[index]
    return offset < f.count ? f[offset] : fallback
  }
}
