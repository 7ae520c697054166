/// How a value from outside (unit name, host name, description, reason) is
/// shown on one line, written from the documented rule (README, the doc of
/// `sanitizedForDisplay`) and not from its code: each C0 control, DEL and
/// C1 control is shown as U+FFFD, an invisible format control by its name
/// ("<U+202E>"); the shown text is kept while it fits in
/// `maxLength` scalars (a name whole or not at all), and "…" stands for
/// the rest; a combining mark (general category
/// M) at the start is shown on a dotted circle, U+25CC, so that it cannot
/// fuse with the text before it (so is a leading zero-width joiner, emoji
/// modifier or other grapheme extender).
enum DisplayRule {
  static func shown(_ value: String, maxLength: Int) -> String {
    let scalars = Array(value.unicodeScalars)
    var out = String.UnicodeScalarView()
    if maxLength > 0, let first = scalars.first, isCombiningMark(first) { out.append("\u{25CC}") }
    // Each scalar's shown form, kept while the shown text fits.
    let pieces = scalars.map { scalar in
      isInvisibleFormat(scalar)
        ? Array(name(scalar).unicodeScalars) : [isControl(scalar) ? "\u{FFFD}" : scalar]
    }
    var shownLength = 0
    var kept = 0
    while kept < pieces.count, shownLength + pieces[kept].count <= maxLength {
      shownLength += pieces[kept].count
      kept += 1
    }
    for piece in pieces.prefix(kept) { out.append(contentsOf: piece) }
    if kept < pieces.count { out.append("\u{2026}") }
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

  /// The invisible format controls the README lists, shown by name: ALM
  /// U+061C, MVS U+180E, ZWSP U+200B, LRM and RLM U+200E-200F, the line
  /// and paragraph separators U+2028-2029, LRE RLE PDF LRO RLO
  /// U+202A-202E, WJ and the invisible operators U+2060-2064, the isolates
  /// and deprecated format controls U+2066-206F, the BOM U+FEFF and the
  /// interlinear annotation marks U+FFF9-FFFB. Not ZWNJ and ZWJ.
  static func isInvisibleFormat(_ scalar: Unicode.Scalar) -> Bool {
    let table: [ClosedRange<UInt32>] = [
      0x061C...0x061C, 0x180E...0x180E, 0x200B...0x200B, 0x200E...0x200F, 0x2028...0x2029,
      0x202A...0x202E, 0x2060...0x2064, 0x2066...0x206F, 0xFEFF...0xFEFF, 0xFFF9...0xFFFB,
    ]
    return table.contains { $0.contains(scalar.value) }
  }

  /// "<U+202E>": at least four upper-case hex digits.
  static func name(_ scalar: Unicode.Scalar) -> String {
    var hex = String(scalar.value, radix: 16).uppercased()
    while hex.count < 4 { hex = "0" + hex }
    return "<U+\(hex)>"
  }

  /// General category M, the zero-width joiner U+200D, the emoji
  /// modifiers U+1F3FB-1F3FF and Unicode's Grapheme_Extend: each joins the
  /// character before it on screen.
  static func isCombiningMark(_ scalar: Unicode.Scalar) -> Bool {
    [.nonspacingMark, .spacingMark, .enclosingMark].contains(scalar.properties.generalCategory)
      || scalar.value == 0x200D || (0x1F3FB...0x1F3FF).contains(scalar.value)
      || scalar.properties.isGraphemeExtend
  }
}
