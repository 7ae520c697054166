import NotifyUnitCore

/// Header encoding and folding (HeaderEncoding) and the header form of mail
/// addresses, on any text.
public enum HeaderCheck {
  /// Fields: 0 knobs (byte 0: the columns the header name takes), 1 text.
  public static func check(fuzzInput bytes: [UInt8]) -> Violations {
    let f = FuzzFields(bytes)
    let used = Int(f.byte(0, 0, default: 9)) % 81
    return check(text: f.text(1), firstLineUsed: used)
  }

  public static func check(text: String, firstLineUsed used: Int) -> Violations {
    var v = Violations()
    let value = HeaderEncoding.encodedWords(text, firstLineUsed: used)
    checkHeaderText(value, &v)
    if text.isEmpty {
      v.expect(value == "=?UTF-8?B??=", "empty text encodes as \(show(value))")
    } else {
      switch StrictDecode.encodedWords(value) {
      case .failure(let failure): v.fail("\(failure) (first line used: \(used))")
      case .success(let decoded):
        v.expect(
          Array(decoded.utf8) == DisplayRule.bytes(text, maxLength: 900),
          "decodes to \(show(decoded)), not the text as shown")
        v.expect(!MailCheck.hasControl(decoded), "decoded text holds a control character")
      }
      // The first word fits the line the header name starts, when even a
      // 4-byte character fits there (58 columns: room for 6 bytes).
      if used <= 58, let first = value.split(separator: "\n").first {
        v.expect(
          used + first.utf8.count <= 78,
          "first line \(used) + \(first.utf8.count) characters, over 78")
      }
    }

    // The functions under test, judged by the documented rules.
    let token = HeaderEncoding.token(text, maxLength: 40)
    v.expect(
      token == TokenRule.token(text, maxLength: 40) && MailCheck.isToken(token),
      "token \(show(token)) of \(show(text))")
    v.expect(
      HeaderEncoding.isPlainASCII(text) == text.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F },
      "isPlainASCII is wrong for \(show(text))")

    // Any text that parses as an address gives one safe mailbox (a local
    // recipient once qualified, as every header carries it).
    if let parsed = try? MailAddress(parsing: text) {
      let address = parsed.qualified(domain: "host.example")
      v.expect(
        parsed.isLocal || address == parsed, "qualifying changed an address with a domain")
      let header = address.headerValue
      checkHeaderText(header, &v)
      MailCheck.checkAddressHeader(header, count: 1, &v)
      v.expect(
        ("To: " + header).split(separator: "\n").allSatisfy { $0.utf8.count <= 998 },
        "an address header line is over 998 octets")
      // Unfolded (RFC 5322 §2.2.3) it reads as the same address.
      let unfolded = String(
        String.UnicodeScalarView(header.unicodeScalars.filter { $0 != "\n" }))
      if let again = try? MailAddress(parsing: unfolded) {
        v.expect(again.address == address.address, "the header form names another address")
      } else {
        v.fail("the header form of \(show(text)) does not parse again: \(show(header))")
      }
    }
    return v
  }

  /// Printable ASCII, folded only with LF and a space.
  static func checkHeaderText(_ value: String, _ v: inout Violations) {
    let b = Array(value.utf8)
    for (i, c) in b.enumerated() where !(c >= 0x20 && c < 0x7F) {
      if c == 0x0A, i + 1 < b.count, b[i + 1] == 0x20, i > 0 { continue }
      v.fail("header value byte \\x\(hex2(c)) at \(i): \(show(value))")
      return
    }
  }
}
