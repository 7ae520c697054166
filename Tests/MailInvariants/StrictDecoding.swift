/// Decoders that accept only what RFC 2045 and RFC 2047 allow, written apart
/// from the encoders under test: a message they refuse is a broken invariant.
public enum StrictDecode {
  static let base64Alphabet = Array(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

  static func base64Value(_ c: UInt8) -> UInt8? {
    base64Alphabet.firstIndex(of: c).map { UInt8($0) }
  }

  /// Canonical base64 without line breaks: length a multiple of 4, "=" only
  /// as the last one or two characters, unused bits zero.
  public static func base64(_ text: some Collection<UInt8>) -> [UInt8]? {
    let chars = Array(text)
    guard chars.count % 4 == 0 else { return nil }
    var out: [UInt8] = []
    var i = 0
    while i < chars.count {
      let quad = chars[i..<i + 4]
      let isLast = i + 4 == chars.count
      let padding = quad.reversed().prefix { $0 == 0x3D }.count
      guard padding <= 2, padding == 0 || isLast else { return nil }
      var values: [UInt32] = []
      for c in quad.prefix(4 - padding) {
        guard let v = base64Value(c) else { return nil }
        values.append(UInt32(v))
      }
      while values.count < 4 { values.append(0) }
      let n = values[0] << 18 | values[1] << 12 | values[2] << 6 | values[3]
      let bytes = [UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)]
      out += bytes.prefix(3 - padding)
      // Canonical: the bits the padding leaves unused are zero.
      if padding == 1, n & 0xFF != 0 { return nil }
      if padding == 2, n & 0xFFFF != 0 { return nil }
      i += 4
    }
    return out
  }

  /// A base64 body of 76-character lines (the last one shorter), each
  /// ending in LF.
  public static func base64Body(_ text: some Collection<UInt8>) -> Result<[UInt8], Failure> {
    var lines = Array(text).split(separator: 0x0A, omittingEmptySubsequences: false)
    guard lines.last?.isEmpty == true else { return .failure("base64 body not ending in LF") }
    lines.removeLast()
    var joined: [UInt8] = []
    for (i, line) in lines.enumerated() {
      let isLast = i == lines.count - 1
      guard line.count == 76 || (isLast && line.count <= 76 && !line.isEmpty) else {
        return .failure("base64 line \(i + 1) has \(line.count) characters")
      }
      joined += line
    }
    guard let bytes = base64(joined) else { return .failure("base64 body does not decode") }
    return .success(bytes)
  }

  static func hexValue(_ c: UInt8) -> UInt8? {
    switch c {
    case 0x30...0x39: c - 0x30
    case 0x41...0x46: c - 0x41 + 10
    default: nil
    }
  }

  /// Quoted-printable (RFC 2045 §6.7): lines of at most 76 characters,
  /// "=XX" with uppercase hex, "=" at a line's end a soft break, only
  /// printable ASCII, space and tab literal, no space or tab before a hard
  /// break.
  public static func quotedPrintable(_ text: some Collection<UInt8>) -> Result<[UInt8], Failure> {
    var lines = Array(text).split(separator: 0x0A, omittingEmptySubsequences: false)
    guard lines.last?.isEmpty == true else { return .failure("QP body not ending in LF") }
    lines.removeLast()
    var out: [UInt8] = []
    for (number, line) in lines.enumerated() {
      guard line.count <= 76 else {
        return .failure("QP line \(number + 1) has \(line.count) characters")
      }
      var i = line.startIndex
      var soft = false
      while i < line.endIndex {
        let c = line[i]
        if c == 0x3D {
          if i + 1 == line.endIndex {
            soft = true
            i += 1
            continue
          }
          guard i + 2 < line.endIndex, let hi = hexValue(line[i + 1]),
            let lo = hexValue(line[i + 2])
          else { return .failure("bad QP escape on line \(number + 1): \(show(line))") }
          out.append(hi << 4 | lo)
          i += 3
        } else if (c >= 0x21 && c <= 0x7E) || c == 0x20 || c == 0x09 {
          out.append(c)
          i += 1
        } else {
          return .failure("byte \\x\(hex2(c)) literal in QP line \(number + 1)")
        }
      }
      if !soft {
        if let last = line.last, last == 0x20 || last == 0x09 {
          return .failure("QP line \(number + 1) ends in literal white space")
        }
        out.append(0x0A)
      }
    }
    return .success(out)
  }

  /// A header value of RFC 2047 "B" words in UTF-8, folded with "\n ": each
  /// word at most 75 characters and valid UTF-8 on its own (cut between
  /// characters), none empty. Returns the decoded text.
  public static func encodedWords(_ value: String) -> Result<String, Failure> {
    let words = value.split(separator: "\n ", omittingEmptySubsequences: false)
    var text = ""
    for word in words {
      let w = Array(word.utf8)
      let head = Array("=?UTF-8?B?".utf8)
      guard w.count <= 75, w.count > 12, w.starts(with: head), w.suffix(2) == [0x3F, 0x3D] else {
        return .failure("not an encoded word: \(show(w))")
      }
      guard let bytes = base64(w[head.count..<(w.count - 2)]) else {
        return .failure("encoded word does not decode: \(show(w))")
      }
      guard let piece = String(validating: bytes, as: UTF8.self) else {
        return .failure("encoded word is not whole UTF-8: \(show(w))")
      }
      text += piece
    }
    return .success(text)
  }

  /// Valid UTF-8 only.
  public static func utf8(_ bytes: [UInt8]) -> String? { String(validating: bytes, as: UTF8.self) }
}

/// Why a decoder refused its input.
public struct Failure: Error, Sendable, ExpressibleByStringLiteral,
  ExpressibleByStringInterpolation, CustomStringConvertible
{
  public var description: String
  public init(stringLiteral value: String) { description = value }
  public init(_ value: String) { description = value }
}
