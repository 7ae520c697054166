/// Decoders for the tests: independent of the encoders under test.
enum Decode {
  static func quotedPrintable(_ text: [UInt8]) -> [UInt8] {
    var out: [UInt8] = []
    var i = 0
    func hex(_ c: UInt8) -> UInt8 { c <= 0x39 ? c - 0x30 : c - 0x41 + 10 }
    while i < text.count {
      if text[i] == 0x3D {
        if i + 1 < text.count, text[i + 1] == 0x0A {
          i += 2
          continue
        }
        out.append(hex(text[i + 1]) << 4 | hex(text[i + 2]))
        i += 3
      } else {
        out.append(text[i])
        i += 1
      }
    }
    return out
  }

  static func base64(_ text: String) -> [UInt8] {
    let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    var values: [UInt8] = []
    for c in text.utf8 {
      if let v = alphabet.firstIndex(of: c) { values.append(UInt8(v)) }
    }
    var out: [UInt8] = []
    var i = 0
    while i + 1 < values.count {
      let n = values[i...].prefix(4)
      let a = Array(n) + [UInt8](repeating: 0, count: 4 - n.count)
      let v = UInt32(a[0]) << 18 | UInt32(a[1]) << 12 | UInt32(a[2]) << 6 | UInt32(a[3])
      out.append(UInt8(v >> 16 & 0xFF))
      if n.count > 2 { out.append(UInt8(v >> 8 & 0xFF)) }
      if n.count > 3 { out.append(UInt8(v & 0xFF)) }
      i += 4
    }
    return out
  }

  /// Decodes a header value made of RFC 2047 B words.
  static func encodedWords(_ value: String) -> String {
    var bytes: [UInt8] = []
    for word in value.split(whereSeparator: { $0 == " " || $0 == "\n" }) {
      precondition(word.hasPrefix("=?UTF-8?B?") && word.hasSuffix("?="))
      bytes += base64(String(word.dropFirst(10).dropLast(2)))
    }
    return String(decoding: bytes, as: UTF8.self)
  }
}
