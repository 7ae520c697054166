/// How a value from outside (unit name, host name, description, reason) is
/// shown on one line, written from the documented rule (README, the doc of
/// `sanitizedForDisplay`) and not from its code: each C0 control, DEL and
/// C1 control is shown as U+FFFD; only the first `maxLength` scalars are
/// kept, and "…" stands for the rest; a combining mark (general category
/// M) at the start is shown on a dotted circle, U+25CC, so that it cannot
/// fuse with the text before it.
enum DisplayRule {
  static func shown(_ value: String, maxLength: Int) -> String {
    let scalars = Array(value.unicodeScalars)
    var out = String.UnicodeScalarView()
    if maxLength > 0, let first = scalars.first, isCombiningMark(first) { out.append("\u{25CC}") }
    out.append(contentsOf: scalars.prefix(maxLength).map { isControl($0) ? "\u{FFFD}" : $0 })
    if scalars.count > maxLength { out.append("\u{2026}") }
    return String(out)
  }

  /// The UTF-8 of the shown value, to compare byte by byte: equal
  /// Strings can differ in scalars, and grapheme clusters hide a fused mark.
  static func bytes(_ value: String, maxLength: Int) -> [UInt8] {
    Array(shown(value, maxLength: maxLength).utf8)
  }

  /// C0 (U+0000 to U+001F), DEL (U+007F) and C1 (U+0080 to U+009F).
  static func isControl(_ scalar: Unicode.Scalar) -> Bool {
    scalar.value <= 0x1F || (0x7F...0x9F).contains(scalar.value)
  }

  static func isCombiningMark(_ scalar: Unicode.Scalar) -> Bool {
    [.nonspacingMark, .spacingMark, .enclosingMark].contains(scalar.properties.generalCategory)
  }
}
