/// Hexadecimal digits, written in one place: invocation IDs, random
/// tokens, label escapes (lower case), quoted-printable (upper case, as
/// RFC 2045 wants), JSON's \u escapes.
public enum Hex {
  public static let lower = Array("0123456789abcdef".utf8)
  public static let upper = Array("0123456789ABCDEF".utf8)

  /// Appends `byte` as two digits.
  public static func append(_ byte: UInt8, to out: inout [UInt8], uppercase: Bool = false) {
    let digits = uppercase ? upper : lower
    out.append(digits[Int(byte >> 4)])
    out.append(digits[Int(byte & 15)])
  }

  /// `bytes` as lower-case hex.
  public static func string<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
    var out: [UInt8] = []
    for b in bytes { append(b, to: &out) }
    return String(decoding: out, as: UTF8.self)
  }

  /// `value`'s low 16 bits as four lower-case digits (JSON's \uXXXX).
  public static func fourDigits(_ value: UInt32) -> String {
    var out: [UInt8] = []
    append(UInt8(value >> 8 & 0xFF), to: &out)
    append(UInt8(value & 0xFF), to: &out)
    return String(decoding: out, as: UTF8.self)
  }
}
