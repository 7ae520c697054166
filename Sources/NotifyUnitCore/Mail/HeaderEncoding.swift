/// Header values from RFC 5322 and RFC 2047: nothing from outside reaches a
/// header unencoded, so no CR, LF or look-alike can add or alter a header.
public enum HeaderEncoding {
  /// Encodes text as RFC 2047 `=?UTF-8?B?...?=` words of at most 75
  /// characters, cut only between whole characters, joined by folding
  /// whitespace (`\n `). Control characters are replaced by U+FFFD first.
  /// `firstLineUsed` is how much of the first line the header name takes, so
  /// that every line stays within the recommended 78 characters.
  public static func encodedWords(_ text: String, firstLineUsed: Int = 9) -> String {
    let clean = text.sanitizedForDisplay(maxLength: 900)
    // 75 - len("=?UTF-8?B??=") = 63 base64 characters: at most 45 bytes;
    // less on the first line, which also holds "Subject: ".
    let firstRoom = (78 - firstLineUsed - 12) / 4 * 3
    var maxBytes = min(45, max(3, firstRoom))
    var words: [String] = []
    var chunk: [UInt8] = []
    for scalar in clean.unicodeScalars {
      let width = UTF8.width(scalar)
      // Never an empty word (RFC 2047 allows none): a character wider
      // than a tight first line's room goes there whole.
      if !chunk.isEmpty, chunk.count + width > maxBytes {
        words.append(word(chunk))
        chunk.removeAll(keepingCapacity: true)
        maxBytes = 45
      }
      UTF8.encode(scalar) { chunk.append($0) }
    }
    if !chunk.isEmpty || words.isEmpty { words.append(word(chunk)) }
    return words.joined(separator: "\n ")
  }

  private static func word(_ bytes: [UInt8]) -> String {
    "=?UTF-8?B?" + Base64.encode(bytes) + "?="
  }

  /// True when `text` can stand in a header as it is: printable ASCII only.
  public static func isPlainASCII(_ text: String) -> Bool {
    text.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
  }

  /// A printable-ASCII token for machine-readable headers: anything else
  /// becomes "_".
  public static func token(_ text: String, maxLength: Int = 64) -> String {
    String(
      decoding: text.utf8.prefix(maxLength).map { b in
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
          || b == 0x2D || b == 0x2E || b == 0x40 ? b : 0x5F
      }, as: UTF8.self)
  }

  /// RFC 5322 date-time: "Fri, 27 Nov 2026 03:36:59 +0100".
  public static func date(_ usec: UInt64, zone: LogRenderer.Zone = .local) -> String {
    let t = LogRenderer.brokenDown(seconds: Int(usec / 1_000_000), zone: zone)
    let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    let months = [
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ]
    func pad(_ v: Int, _ n: Int) -> String {
      let s = String(v)
      return String(repeating: "0", count: max(0, n - s.count)) + s
    }
    let off = abs(t.offsetSeconds)
    return "\(days[t.weekday]), \(pad(t.day, 2)) \(months[t.month - 1]) \(t.year) "
      + "\(pad(t.hour, 2)):\(pad(t.minute, 2)):\(pad(t.second, 2)) "
      + "\(t.offsetSeconds < 0 ? "-" : "+")\(pad(off / 3600, 2))\(pad(off % 3600 / 60, 2))"
  }
}
