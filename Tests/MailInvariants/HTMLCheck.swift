import NotifyUnitCore

/// The invariants of the mail's HTML part, judged without the composer's
/// own escaping: a document of known tags and attributes only (no script,
/// no event handler, nothing loaded from elsewhere), every text outside the
/// tags escaped, and every log line shown, escaped, with its time of day.
public enum HTMLCheck {
  /// The tags the report uses; any other (a `<` from the log that slipped
  /// through) is a violation.
  static let tags: Set<[UInt8]> = Set(
    [
      "html", "head", "meta", "title", "body", "div", "p", "table", "tr", "th", "td", "span",
      "ul", "li",
    ].map { Array($0.utf8) })
  static let attributes: Set<[UInt8]> = Set(
    ["style", "charset", "name", "content", "role"].map { Array($0.utf8) })
  /// What would load something or run something, inside a tag.
  static let forbidden = ["url(", "expression(", "@import", "javascript:", "src=", "href="].map {
    Array($0.utf8)
  }
  static let entities = ["&amp;", "&lt;", "&gt;", "&quot;", "&#39;"]

  /// The decoded HTML part of `mail`, which shows its last `shown` lines.
  public static func check(_ bytes: [UInt8], shown: Int, _ mail: ComposedMail, _ c: MailCase)
    -> Violations
  {
    var v = Violations()
    check(bytes, shown: shown, mail, c, &v)
    return v
  }

  static func check(
    _ bytes: [UInt8], shown: Int, _ mail: ComposedMail, _ c: MailCase, _ v: inout Violations
  ) {
    guard let html = StrictDecode.utf8(bytes) else {
      v.fail("the HTML part is not valid UTF-8")
      return
    }
    let doctype = "<!DOCTYPE html>\n"
    v.expect(html.hasPrefix(doctype), "the HTML part does not start with <!DOCTYPE html>")
    v.expect(html.hasSuffix("</body></html>\n"), "the HTML part does not end with </html>")
    v.expect(
      MailCheck.find(Array("<script".utf8), in: asciiLowercased(bytes)) == nil,
      "the HTML part holds <script")
    guard let text = textOutsideTags(Array(html.utf8.dropFirst(doctype.utf8.count)), &v) else {
      return
    }
    checkEscaped(text, &v)
    checkContent(html, shown: shown, mail, c, &v)
  }

  /// Walks the document tag by tag; returns the text between the tags.
  static func textOutsideTags(_ doc: [UInt8], _ v: inout Violations) -> [UInt8]? {
    var text: [UInt8] = []
    var i = 0
    while i < doc.count {
      guard doc[i] == 0x3C else {
        text.append(doc[i])
        i += 1
        continue
      }
      guard let close = doc[i...].firstIndex(of: 0x3E) else {
        v.fail("a \"<\" without \">\" in the HTML part")
        return nil
      }
      checkTag(doc[(i + 1)..<close], &v)
      text.append(0x20)
      i = close + 1
    }
    return text
  }

  /// `name attr="value" ...` or `/name`: a known tag, known attributes with
  /// double-quoted values, none an event handler, none loading anything.
  /// By bytes: the fuzzer runs this on every tag of every mail.
  static func checkTag(_ tag: ArraySlice<UInt8>, _ v: inout Violations) {
    var rest = tag.first == 0x2F ? tag.dropFirst() : tag
    let name = asciiLowercased(rest.prefix(while: isLetter))
    rest = rest.dropFirst(name.count)
    guard tags.contains(name) else {
      v.fail("unknown tag <\(show(tag.prefix(40)))>")
      return
    }
    let lowered = asciiLowercased(rest)
    for word in forbidden where MailCheck.find(word, in: lowered) != nil {
      v.fail("tag <\(show(name))> holds \(show(word))")
    }
    while !rest.isEmpty {
      guard rest.first == 0x20 || rest.first == 0x0A else {
        v.fail("tag <\(show(name))>: \(show(rest.prefix(40)))")
        return
      }
      rest = rest.dropFirst()
      let attribute = Array(rest.prefix { $0 != 0x3D && $0 != 0x20 })
      rest = rest.dropFirst(attribute.count)
      v.expect(
        attributes.contains(attribute)
          && !asciiLowercased(attribute[...]).starts(with: [0x6F, 0x6E]),
        "tag <\(show(name))> has the attribute \(show(attribute))")
      guard rest.starts(with: [0x3D, 0x22]), let end = rest.dropFirst(2).firstIndex(of: 0x22) else {
        v.fail("tag <\(show(name))>: attribute \(show(attribute)) without a quoted value")
        return
      }
      rest = rest[(end + 1)...]
    }
  }

  static func isLetter(_ b: UInt8) -> Bool {
    (0x41...0x5A).contains(b) || (0x61...0x7A).contains(b)
  }

  static func asciiLowercased(_ bytes: some Collection<UInt8>) -> [UInt8] {
    bytes.map { (0x41...0x5A).contains($0) ? $0 | 0x20 : $0 }
  }

  /// Outside the tags, `&` only starts one of the five references, and no
  /// raw `>`, `"` or `'` is left.
  static func checkEscaped(_ text: [UInt8], _ v: inout Violations) {
    for (i, b) in text.enumerated() {
      switch b {
      case 0x26:
        let ahead = text[i...].prefix(6)
        v.expect(
          entities.contains { ahead.starts(with: Array($0.utf8)) },
          "an unescaped \"&\" in the HTML text: \(show(ahead))")
      case 0x3E, 0x22, 0x27:
        v.fail("an unescaped \(show([b])) in the HTML text")
      default: break
      }
    }
  }

  /// This check's own escaping, to compare with.
  static func escaped(_ s: some StringProtocol) -> [UInt8] {
    var out: [UInt8] = []
    for b in s.utf8 {
      switch b {
      case 0x26: out += Array("&amp;".utf8)
      case 0x3C: out += Array("&lt;".utf8)
      case 0x3E: out += Array("&gt;".utf8)
      case 0x22: out += Array("&quot;".utf8)
      case 0x27: out += Array("&#39;".utf8)
      default: out.append(b)
      }
    }
    return out
  }

  static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
    MailCheck.find(needle, in: haystack) != nil
  }

  /// The headline, the reason, the command and each shown log line: its
  /// time of day (HH:MM:SS, UTC as the case renders), source and the first
  /// line of its readable message, escaped.
  static func checkContent(
    _ html: String, shown: Int, _ mail: ComposedMail, _ c: MailCase, _ v: inout Violations
  ) {
    let doc = Array(html.utf8)
    let gt = Array(">".utf8)
    let divEnd = Array("</div>".utf8)
    v.expect(
      contains(doc, gt + escaped(mail.report.headline) + divEnd), "the banner lacks the headline")
    if let reason = mail.report.reason {
      v.expect(contains(doc, gt + escaped(reason) + divEnd), "the HTML lacks the reason")
    }
    if let id = c.invocation.flatMap(normalizedInvocationID) {
      v.expect(
        contains(doc, Array(">journalctl _SYSTEMD_INVOCATION_ID=\(id) + ".utf8)),
        "the HTML lacks the command")
    }
    var from = 0
    for record in mail.records.suffix(shown) {
      let form = MailCheck.readable(record, renderer: c.renderer)
      // "STAMP PRIORITY SOURCE ": the source is the third word.
      let words = form.prefix.split(separator: 0x20, omittingEmptySubsequences: false)
      guard words.count == 4 else {
        v.fail("log prefix \(show(form.prefix))")
        return
      }
      let seconds = record.realtime / 1_000_000 % 86_400
      let time = [seconds / 3600, seconds / 60 % 60, seconds % 60].map {
        $0 < 10 ? "0\($0)" : "\($0)"
      }.joined(separator: ":")
      var expected = Array((time + "</span> ").utf8)
      expected += escaped(String(decoding: words[2], as: UTF8.self)) + [0x20]
      if !form.isCut {
        let message = form.line.dropFirst(form.prefix.count).prefix { $0 != 0x0A }
        expected += escaped(String(decoding: message, as: UTF8.self))
      }
      guard let found = MailCheck.find(expected, in: doc, from: from) else {
        v.fail("the HTML lacks the log line \(show(expected))")
        return
      }
      from = found + expected.count
    }
  }
}
