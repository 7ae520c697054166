import Testing

@testable import NotifyUnitCore

@Suite struct MailComposerTests {
  let renderer = LogRenderer(zone: .utc)
  let invocation = "0123456789abcdef0123456789abcdef"

  func report(lines: [[UInt8]], result: String = "exit-code", unit: String = "backup.service")
    -> Report
  {
    var r = Report(
      unit: unit, host: "nas",
      outcome: RunOutcome(environment: [
        "SERVICE_RESULT": result, "EXIT_CODE": "exited",
        "EXIT_STATUS": result == "success" ? "0" : "3",
      ]), invocationID: invocation, tailCapacityBytes: 100_000, createdAt: 1_795_000_000_000_000)
    for (i, line) in lines.enumerated() { r.add(record(line, i), renderer: renderer) }
    r.finish(renderer: renderer)
    return r
  }

  func record(_ message: [UInt8], _ i: Int) -> LogRecord {
    LogRecord(
      realtime: 1_795_000_000_000_000 + UInt64(i) * 1000, priority: 6,
      identifier: Array("restic".utf8), pid: Array("7".utf8), message: message)
  }

  func compose(_ r: Report, lines: [[UInt8]], settings: MailSettings? = nil) throws -> String {
    let s =
      try settings
      ?? MailSettings(
        recipients: [try MailAddress(parsing: "admin@example.org")],
        sender: try MailAddress(parsing: "notify-unit@nas"))
    let composer = MailComposer(report: r, settings: s, renderer: renderer, nonce: "abc123")
    let archive = MemoryLogArchive()
    for (i, line) in lines.enumerated() {
      var exact: [UInt8] = []
      renderer.appendExactLine(record(line, i), to: &exact)
      try archive.append(exact)
    }
    let sink = BufferSink()
    try composer.write(to: sink, archive: archive)
    return sink.string
  }

  func split(_ text: String, by separator: String) -> [String] {
    var parts: [String] = []
    var rest = Substring(text)
    while let r = rest.range(of: separator) {
      parts.append(String(rest[..<r.lowerBound]))
      rest = rest[r.upperBound...]
    }
    return parts + [String(rest)]
  }

  func split(_ message: String) -> (headers: [String], body: String) {
    let parts = message.split(separator: "\n\n", maxSplits: 1, omittingEmptySubsequences: false)
    return (parts[0].split(separator: "\n").map(String.init), String(parts[1]))
  }

  @Test func headersAreCompleteAndTheSubjectIsEncoded() throws {
    let lines = [Array("done".utf8)]
    let message = try compose(report(lines: lines), lines: lines)
    let (headers, _) = split(message)
    for name in [
      "From:", "To:", "Subject:", "Date:", "Message-ID:", "MIME-Version: 1.0",
      "Auto-Submitted: auto-generated",
    ] {
      #expect(headers.contains { $0.hasPrefix(name) }, "missing \(name)")
    }
    #expect(headers.contains("Date: Wed, 18 Nov 2026 11:06:40 +0000"))
    let subject = headers.drop { !$0.hasPrefix("Subject:") }.prefix {
      $0.hasPrefix("Subject:") || $0.hasPrefix(" ")
    }
    .map { $0.hasPrefix("Subject: ") ? String($0.dropFirst(9)) : $0 }.joined(separator: "\n")
    #expect(Decode.encodedWords(subject) == "⛔ backup.service: exit-code (status 3) on nas")
    #expect(headers.allSatisfy { $0.utf8.allSatisfy { $0 < 0x80 } })
  }

  @Test func successSubjectHasTheGreenHeart() throws {
    let lines = [Array("ok".utf8)]
    // The Subject of a composed mail, not only the report's headline.
    let message = try compose(report(lines: lines, result: "success"), lines: lines)
    let (headers, _) = split(message)
    let subject = headers.drop { !$0.hasPrefix("Subject:") }.prefix {
      $0.hasPrefix("Subject:") || $0.hasPrefix(" ")
    }
    .map { $0.hasPrefix("Subject: ") ? String($0.dropFirst(9)) : $0 }.joined(separator: "\n")
    #expect(Decode.encodedWords(subject) == "💚 backup.service: success on nas")
  }

  @Test func hostileUnitNamesCannotAddHeaders() throws {
    let lines = [Array("x".utf8)]
    let evil = "backup.service\nBcc: evil@example.com\r\nX-Evil: 1"
    let message = try compose(report(lines: lines, unit: evil), lines: lines)
    let (headers, _) = split(message)
    #expect(!headers.contains { $0.hasPrefix("Bcc") || $0.hasPrefix("X-Evil") })
    #expect(headers.filter { !$0.hasPrefix(" ") }.count == 10)
  }

  /// The decoded parts of the multipart/alternative: text, then HTML.
  func alternatives(_ message: String) -> (text: String, html: String) {
    let parts = split(message, by: "\n--=_notify-unit-alt_abc123")
    let decoded = parts.dropFirst().prefix(2).map {
      String(
        decoding: Decode.quotedPrintable(Array($0.split(separator: "\n\n", maxSplits: 1)[1].utf8)),
        as: UTF8.self)
    }
    return (decoded.first ?? "", decoded.last ?? "")
  }

  @Test func shortLogIsTextAndHTMLWithEveryLine() throws {
    let lines: [[UInt8]] = [
      Array("first".utf8), [0x2E], Array("From here".utf8), Array("last".utf8),
    ]
    let message = try compose(report(lines: lines), lines: lines)
    #expect(
      message.contains(
        "Content-Type: multipart/alternative; boundary=\"=_notify-unit-alt_abc123\""))
    #expect(!message.contains("multipart/mixed"))
    let (text, html) = alternatives(message)
    #expect(text.contains("restic[7]: .\n"))
    #expect(text.contains("restic[7]: last\n\nThe whole run, on nas:\n"))
    #expect(text.contains("Log lines:     4"))
    #expect(html.contains("restic[7]: last</div>"))
    #expect(message.split(separator: "\n").allSatisfy { $0.utf8.count <= 78 })
  }

  /// systemd 252 has no `journalctl --invocation`: the text ends with the
  /// fields it matches, OR-ed.
  @Test func theTextEndsWithTheCommandThatShowsTheWholeRun() throws {
    let lines = [Array("done".utf8)]
    let (text, _) = alternatives(try compose(report(lines: lines), lines: lines))
    let id = invocation
    #expect(
      text.hasSuffix(
        "\n\nThe whole run, on nas:\njournalctl _SYSTEMD_INVOCATION_ID=\(id) + INVOCATION_ID=\(id)"
          + " + USER_INVOCATION_ID=\(id) -o short-iso --no-pager\n"))
  }

  /// A log line that is markup shows as text; time stamps are the time of
  /// day; error and warning lines are marked; the banner follows the
  /// verdict.
  @Test func theHTMLEscapesTheLogAndMarksErrors() throws {
    let lines = [
      Array("<script>alert('x')</script> & \"q\"".utf8), Array("Warning: slow".utf8),
      Array("Fatal: wrong password".utf8),
    ]
    let (_, html) = alternatives(try compose(report(lines: lines), lines: lines))
    #expect(!html.contains("<script"))
    #expect(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"))
    #expect(html.contains(">11:06:40</span> restic[7]: Fatal: wrong password</div>"))
    #expect(!html.contains("T11:06:40.001"))
    #expect(html.contains("<div style=\"background:#b3261e;"))
    let marked = { (text: String) in
      self.split(html, by: "<div style=\"background:#ffebe9")
        .dropFirst().contains { $0.contains(text) }
    }
    #expect(marked("Fatal: wrong password"))
    #expect(!marked("Warning: slow") && !marked("script"))
    #expect(html.contains("<div style=\"background:#fff8c5"))
    let green = report(lines: [Array("ok".utf8)], result: "success")
    let success = alternatives(try compose(green, lines: [Array("ok".utf8)])).html
    #expect(success.contains("<div style=\"background:#1e7b34;"))
  }

  @Test func longLogGetsATailAndTheWholeLogAttached() throws {
    let lines =
      (0..<1000).map { Array("line \($0) \u{1B}[1m".utf8) } + [
        [UInt8](repeating: 0x41, count: 1_000_000)
      ]
    let message = try compose(report(lines: lines), lines: lines)
    #expect(message.contains("Content-Type: multipart/mixed; boundary=\"=_notify-unit_abc123\""))
    let maxLine = message.split(separator: "\n").map(\.utf8.count).max() ?? 0
    #expect(maxLine <= 998)
    let parts = split(message, by: "\n--=_notify-unit_abc123")
    #expect(parts.count == 4)  // preamble, text, attachment, closing
    let textPart = Decode.quotedPrintable(
      Array(parts[1].split(separator: "\n\n", maxSplits: 1)[1].utf8))
    let text = String(decoding: textPart, as: UTF8.self)
    #expect(text.contains("the last 200 of 1001 lines"))
    #expect(text.contains(" bytes left out …] AAAA"))
    let attachment = parts[2].split(separator: "\n\n", maxSplits: 1)
    #expect(
      attachment[0].contains(
        "Content-Disposition: attachment; filename=\"backup.service-0123456789ab.log\""))
    let decoded = Decode.base64(String(attachment[1]))
    var expected: [UInt8] = []
    for (i, line) in lines.enumerated() { renderer.appendExactLine(record(line, i), to: &expected) }
    #expect(decoded == expected)
  }

  @Test func attachmentOverTheCapKeepsTheEndOfTheLog() throws {
    let lines = (0..<10_000).map { Array("line number \($0)".utf8) }
    let settings = MailSettings(
      recipients: [try MailAddress(parsing: "a@b.c")], sender: try MailAddress(parsing: "n@b.c"),
      bodyMaxLines: 10, bodyMaxBytes: 10_000, attachmentMaxBytes: 50_000)
    let message = try compose(report(lines: lines), lines: lines, settings: settings)
    let parts = split(message, by: "\n--=_notify-unit_")
    let decoded = Decode.base64(String(parts[2].split(separator: "\n\n", maxSplits: 1)[1]))
    let text = String(decoding: decoded, as: UTF8.self)
    #expect(decoded.count <= 50_000)
    #expect(text.hasPrefix("[notify-unit: this log has "))
    #expect(text.contains("over the attachment limit of 50000: only its end is attached"))
    #expect(text.contains("restic[7]: line number 9999\n"))
    #expect(!text.contains("line number 0\n"))
    #expect(message.utf8.count < 100_000)
  }

  @Test func quotedPrintableRules() {
    let input = Array(
      "From x\n\(String(repeating: "é", count: 100))\ntrailing space \n=sign\n".utf8)
    let encoded = QuotedPrintable.encode(input)
    let lines = String(decoding: encoded, as: UTF8.self).split(
      separator: "\n", omittingEmptySubsequences: false)
    #expect(lines.allSatisfy { $0.utf8.count <= 76 })
    #expect(lines[0] == "=46rom x")
    #expect(lines.contains("trailing space=20"))
    #expect(Decode.quotedPrintable(encoded) == input)
  }

  @Test func fromAndALoneDotAfterASoftBreakAreEncoded() {
    let input = Array(
      (String(repeating: "a", count: 75) + "From evil\n" + String(repeating: "b", count: 75) + ".\n")
        .utf8)
    let lines = String(decoding: QuotedPrintable.encode(input), as: UTF8.self).split(
      separator: "\n")
    #expect(!lines.contains { $0.hasPrefix("From ") || $0 == "." })
    #expect(lines.contains("=46rom evil"))
    #expect(Decode.quotedPrintable(QuotedPrintable.encode(input)) == input)
  }

  @Test func smallBodyCapsStillShowTheLastLine() throws {
    let lines = [
      Array("first".utf8), [UInt8](repeating: 0x78, count: 2000) + Array(" the end".utf8),
    ]
    let settings = MailSettings(
      recipients: [try MailAddress(parsing: "a@b.c")], sender: try MailAddress(parsing: "n@b.c"),
      bodyMaxLines: 10, bodyMaxBytes: 1000, attachmentMaxBytes: 0)
    let message = try compose(report(lines: lines), lines: lines, settings: settings)
    let body = String(
      decoding: Decode.quotedPrintable(Array(split(message).body.utf8)), as: UTF8.self)
    #expect(body.contains(" the end\n\nThe whole run, on nas:\n"))
  }

  @Test func encodedWordsStayShortAndWhole() {
    let value = HeaderEncoding.encodedWords(String(repeating: "💾ä", count: 40) + "\r\nBcc: x")
    let words = value.split(separator: "\n ")
    #expect(words.count > 1)
    #expect(words.allSatisfy { $0.utf8.count <= 75 })
    #expect(!value.contains("\r") && !value.contains("\nB"))
    let decoded = Decode.encodedWords(value)
    #expect(decoded.hasPrefix("💾ä💾ä"))
    #expect(decoded.hasSuffix("\u{FFFD}\u{FFFD}Bcc: x"))
  }

  @Test func base64RoundTrips() {
    for n in 0..<200 {
      let bytes = (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
      #expect(Decode.base64(Base64.encode(bytes)) == bytes)
    }
  }
}
