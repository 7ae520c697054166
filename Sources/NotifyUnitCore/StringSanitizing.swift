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
  /// show on one line: control characters become U+FFFD, and the text is cut
  /// to `maxLength` characters with an ellipsis. A combining mark at the
  /// start is shown on a dotted circle (U+25CC, as Unicode suggests for a
  /// mark alone), so it cannot fuse with what stands before the value
  /// ("⛔ " + a unit name) and change how that reads.
  public func sanitizedForDisplay(maxLength: Int = 256) -> String {
    var out = String.UnicodeScalarView()
    var count = 0
    if let first = unicodeScalars.first, maxLength > 0, first.isCombiningMark {
      out.append("\u{25CC}")
    }
    for scalar in unicodeScalars {
      if count == maxLength {
        out.append("…")
        break
      }
      let v = scalar.value
      out.append(v < 0x20 || (v >= 0x7F && v < 0xA0) ? "\u{FFFD}" : scalar)
      count += 1
    }
    return String(out)
  }
}

extension Unicode.Scalar {
  /// A mark that combines with the character before it.
  var isCombiningMark: Bool {
    switch properties.generalCategory {
    case .nonspacingMark, .spacingMark, .enclosingMark: true
    default: false
    }
  }
}
