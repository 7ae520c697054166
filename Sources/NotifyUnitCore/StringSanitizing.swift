extension StringProtocol {
  /// Without leading and trailing spaces, tabs, CR and LF.
  /// By scalars: "\r\n" is one Character, equal to neither "\r" nor "\n".
  /// What is kept is copied as UTF-8, not rebuilt scalar by scalar (that
  /// was a fifth of a config file's parse).
  public var trimmingASCIIWhitespace: String {
    let isSpace = { (u: Unicode.Scalar) in u == " " || u == "\t" || u == "\n" || u == "\r" }
    let scalars = unicodeScalars
    guard let first = scalars.firstIndex(where: { !isSpace($0) }) else { return "" }
    let last = scalars.lastIndex(where: { !isSpace($0) })!
    return String(decoding: utf8[first..<scalars.index(after: last)], as: UTF8.self)
  }

  /// The first line, trimmed: a secret file's value. By scalars, so that a
  /// file with CRLF line ends gives its first line too.
  public var firstLineTrimmed: String {
    let scalars = unicodeScalars
    let end = scalars.firstIndex(of: "\n") ?? scalars.endIndex
    return String(String.UnicodeScalarView(scalars[..<end])).trimmingASCIIWhitespace
  }
}

extension String {
  /// A value from outside (environment, unit name, host name) made safe to
  /// show on one line: control characters become U+FFFD, invisible format
  /// controls their name ("<U+202E>"), and what is shown is cut
  /// to `maxLength` characters (a name whole or not at all) with an ellipsis. A combining mark at the
  /// start is shown on a dotted circle (U+25CC, as Unicode suggests for a
  /// mark alone), so it cannot fuse with what stands before the value
  /// ("⛔ " + a unit name) and change how that reads.
  public func sanitizedForDisplay(maxLength: Int = 256) -> String {
    var out = String.UnicodeScalarView()
    var count = 0
    if let first = unicodeScalars.first, maxLength > 0, first.isCombiningMark {
      out.append("\u{25CC}")
    }
    // The bound is on what is shown: a name counts its eight characters
    // (before, 64 bidi controls made a 512-character subject reason).
    for scalar in unicodeScalars {
      let name = scalar.isInvisibleFormatControl ? scalar.visibleName : nil
      let width = name?.unicodeScalars.count ?? 1
      if count + width > maxLength {
        out.append("…")
        break
      }
      let v = scalar.value
      if let name {
        out.append(contentsOf: name.unicodeScalars)
      } else {
        out.append(v < 0x20 || (v >= 0x7F && v < 0xA0) ? "\u{FFFD}" : scalar)
      }
      count += width
    }
    return String(out)
  }
}

extension Unicode.Scalar {
  /// An invisible character that changes how the text around it reads:
  /// the bidi embeddings, overrides, isolates and marks (a log line with
  /// U+202E reads backwards: "Trojan Source", CVE-2021-42574), the line and
  /// paragraph separators, zero-width spaces and joiners' invisible kin, the
  /// BOM and the interlinear annotation marks. ZWJ and ZWNJ stay: emoji and
  /// several scripts need them.
  public var isInvisibleFormatControl: Bool {
    switch value {
    case 0x061C, 0x180E, 0x200B, 0x200E, 0x200F, 0x2028...0x202E, 0x2060...0x2064,
      0x2066...0x206F, 0xFEFF, 0xFFF9...0xFFFB:
      true
    default: false
    }
  }

  /// How such a character is shown instead: "<U+202E>".
  public var visibleName: String {
    let hex = String(value, radix: 16, uppercase: true)
    return "<U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex + ">"
  }

  /// A character that joins the one before it into one on screen: a
  /// combining mark, any other grapheme extender, the zero-width joiner
  /// (its own grapheme break class) or an emoji skin-tone modifier.
  var isCombiningMark: Bool {
    switch properties.generalCategory {
    case .nonspacingMark, .spacingMark, .enclosingMark: return true
    default:
      return value == 0x200D || (0x1F3FB...0x1F3FF).contains(value)
        || properties.isGraphemeExtend
    }
  }
}
