import NotifyUnitCore

/// The invariants of every mail notify-unit writes, whatever the unit name,
/// host name, description and log hold: 998-octet lines ending in LF only,
/// headers fixed in name, order and structure, every header value decoding
/// to the sanitized input, parts that decode (quoted-printable, base64) to
/// the readable report and the exact log (invalid UTF-8 as U+FFFD, the
/// documented repair), and a boundary found only where it delimits.
public enum MailCheck {
  /// Composes `mailCase` and checks the message.
  public static func check(_ mailCase: MailCase) -> Violations {
    check(mailCase.compose(), mailCase)
  }

  /// What the fuzz target and the corpus replay call.
  public static func check(fuzzInput bytes: [UInt8]) -> Violations {
    check(MailCase(fuzz: bytes))
  }

  public static func check(_ mail: ComposedMail, _ c: MailCase) -> Violations {
    var v = Violations()
    let message = mail.message
    // Bytes and lines: printable ASCII, tab and LF only (so LF is the one
    // line end, and no CR or NUL reaches sendmail), at most 998 octets.
    if let bad = message.firstIndex(where: { !($0 == 0x09 || $0 == 0x0A || (0x20...0x7E) ~= $0) }) {
      v.fail("byte \\x\(hex2(message[bad])) at offset \(bad) of the message")
    }
    v.expect(message.last == 0x0A, "the message does not end in LF")
    let lines = message.split(separator: 0x0A, omittingEmptySubsequences: false)
    for (i, line) in lines.enumerated() {
      v.expect(line.count <= 998, "line \(i + 1) has \(line.count) octets")
      v.expect(line.elementsEqual([0x2E]) == false, "line \(i + 1) is a lone \".\"")
      v.expect(!line.starts(with: Array("From ".utf8)), "line \(i + 1) starts with \"From \"")
    }
    guard let split = find([0x0A, 0x0A], in: message) else {
      v.fail("no blank line after the headers")
      return v
    }
    let fields = headerFields(message[..<split], &v)
    let body = Array(message[(split + 2)...])
    checkHeaders(fields, mail, c, &v)

    let contentType = fields.first { $0.name == "Content-Type" }?.value ?? ""
    let attached = contentType.hasPrefix("multipart/mixed")
    let nonce = TokenRule.token(c.nonce, maxLength: 40)
    let mixedBoundary = "=_notify-unit_\(nonce)"
    let alternativeBoundary = "=_notify-unit-alt_\(nonce)"
    let alternativeType = "multipart/alternative; boundary=\"\(alternativeBoundary)\""
    var alternative: [UInt8]? = nil
    var attachment: (name: String, bytes: [UInt8])? = nil
    if attached {
      v.expect(
        contentType == "multipart/mixed; boundary=\"\(mixedBoundary)\"",
        "Content-Type is \(show(contentType))")
      if let parts = multipartParts(body, boundary: Array(mixedBoundary.utf8), &v) {
        alternative = partBody(parts.first, headers: "Content-Type: \(alternativeType)", &v)
        attachment = decodeAttachment(parts.second, &v)
      }
    } else {
      v.expect(contentType == alternativeType, "Content-Type is \(show(contentType))")
      alternative = body
    }
    // The report as text, then as HTML: text first, so a client that shows
    // the last part it can shows the HTML, and any other the text.
    var text: [UInt8]? = nil
    var html: [UInt8]? = nil
    if let alternative,
      let parts = multipartParts(alternative, boundary: Array(alternativeBoundary.utf8), &v)
    {
      text = decodeTextPart(parts.first, headers: textPartHeaders, &v)
      html = decodeTextPart(parts.second, headers: htmlPartHeaders, &v)
    }
    guard let text else { return v }
    let shown = checkBodyText(text, attached: attached, mail, c, &v)
    let mustAttach =
      c.attachmentMaxBytes > 0 && c.withArchive
      && (shown < mail.records.count || expectedCutCount(mail, c, shown: shown) > 0)
    v.expect(
      attached == mustAttach,
      "attachment \(attached ? "present" : "absent") but \(mustAttach ? "needed" : "not needed")")
    if let attachment {
      checkAttachment(attachment.name, attachment.bytes, text: text, mail, c, &v)
    }
    if let html { HTMLCheck.check(html, shown: shown, mail, c, &v) }
    return v
  }

  // MARK: Headers

  struct Field {
    var name: String
    /// With folding kept: "\n " between lines.
    var value: String
  }

  static func headerFields(_ head: ArraySlice<UInt8>, _ v: inout Violations) -> [Field] {
    var fields: [Field] = []
    for line in head.split(separator: 0x0A, omittingEmptySubsequences: false) {
      let text = String(decoding: line, as: UTF8.self)
      if line.first == 0x20 || line.first == 0x09 {
        if fields.isEmpty {
          v.fail("the first header line is a continuation")
        } else {
          fields[fields.count - 1].value += "\n" + text
        }
        continue
      }
      guard let colon = line.firstIndex(of: 0x3A), colon > line.startIndex,
        line[line.startIndex..<colon].allSatisfy({
          ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39)
            || $0 == 0x2D
        }), colon + 1 < line.endIndex, line[colon + 1] == 0x20
      else {
        v.fail("not a header line: \(show(line))")
        continue
      }
      fields.append(
        Field(
          name: String(decoding: line[..<colon], as: UTF8.self),
          value: String(decoding: line[(colon + 2)...], as: UTF8.self)))
    }
    return fields
  }

  static func checkHeaders(
    _ fields: [Field], _ mail: ComposedMail, _ c: MailCase, _ v: inout Violations
  ) {
    let attached = fields.first { $0.name == "Content-Type" }?.value.hasPrefix("multipart/") == true
    let invocation = c.invocation.flatMap(normalizedInvocationID)
    var expected = [
      "From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Auto-Submitted",
      "X-Notify-Unit-Result",
    ]
    if invocation != nil { expected.append("X-Notify-Unit-Invocation") }
    expected += attached ? ["Content-Type"] : ["Content-Type", "Content-Transfer-Encoding"]
    let names = fields.map(\.name)
    guard names == expected else {
      v.fail("header names \(names) are not \(expected)")
      return
    }
    let value = { (name: String) in fields.first { $0.name == name }!.value }
    let settings = c.settings
    v.expect(
      value("From") == settings.sender.headerValue && !value("From").contains(","),
      "From is \(show(value("From")))")
    v.expect(
      value("To") == MailCase.recipients.map(\.headerValue).joined(separator: ",\n "),
      "To is \(show(value("To")))")
    checkAddressHeader(value("From"), count: 1, &v)
    checkAddressHeader(value("To"), count: MailCase.recipients.count, &v)

    switch StrictDecode.encodedWords(value("Subject")) {
    case .failure(let f): v.fail("Subject: \(f)")
    case .success(let subject):
      v.expect(subject == mail.report.headline, "Subject decodes to \(show(subject))")
      v.expect(!hasControl(subject), "Subject holds a control character: \(show(subject))")
      // "ICON UNIT: ... on HOST", compared by bytes: as Strings, a mark
      // fused with the space before it would hide in one Character.
      let bytes = Array(subject.utf8)
      let icon = expectedIcon(
        result: EnvironmentCheck.trimScalars(c.serviceResult),
        exitCode: c.exitCode.map(EnvironmentCheck.trimScalars),
        exitStatus: c.exitStatus.map(EnvironmentCheck.trimScalars))
      let head = Array((icon + " ").utf8)
      v.expect(
        bytes.starts(with: head),
        "Subject's icon does not follow the verdict (\(icon)): \(show(subject))")
      v.expect(
        bytes.dropFirst(head.count).starts(
          with: DisplayRule.bytes(c.unit, maxLength: 200) + Array(": ".utf8)),
        "Subject lacks the unit as shown: \(show(subject))")
      v.expect(
        bytes.ends(with: " on " + DisplayRule.shown(c.host, maxLength: 200)),
        "Subject does not end with the host as shown: \(show(subject))")
    }
    if value("Subject").split(separator: "\n").first.map({ $0.utf8.count + 9 > 78 }) == true {
      v.fail("Subject's first line is over 78 characters")
    }
    v.expect(isDate(value("Date")), "Date is \(show(value("Date")))")
    checkMessageID(value("Message-ID"), c, &v)
    v.expect(value("MIME-Version") == "1.0", "MIME-Version changed")
    v.expect(value("Auto-Submitted") == "auto-generated", "Auto-Submitted changed")
    v.expect(
      value("X-Notify-Unit-Result")
        == TokenRule.token(mail.report.outcome.resultWord, maxLength: 64)
        && isToken(value("X-Notify-Unit-Result")),
      "X-Notify-Unit-Result is \(show(value("X-Notify-Unit-Result")))")
    if let invocation {
      v.expect(value("X-Notify-Unit-Invocation") == invocation, "X-Notify-Unit-Invocation changed")
    }
  }

  /// Mailboxes `addr`, `"Name" <addr>` or `=?UTF-8?B?...?= <addr>`, joined
  /// by ",\n ": exactly `count` of them, each with one address.
  static func checkAddressHeader(_ value: String, count: Int, _ v: inout Violations) {
    let boxes = value.split(separator: ",\n ", omittingEmptySubsequences: false)
    v.expect(boxes.count == count, "\(boxes.count) mailboxes in \(show(value)), not \(count)")
    for box in boxes {
      var address = Substring(box)
      if box.hasSuffix(">"), let open = box.lastIndex(of: "<") {
        address = box[box.index(after: open)..<box.index(before: box.endIndex)]
        let name = box[..<open]
        if name.hasPrefix("=?") {
          if case .failure(let f) = StrictDecode.encodedWords(String(name.dropLast())) {
            v.fail("display name: \(f)")
          }
        } else {
          v.expect(
            name.hasPrefix("\"") && name.hasSuffix("\" ")
              && name.dropFirst().dropLast(2).allSatisfy {
                $0 != "\"" && $0 != "\\" && $0 != "\n"
              }, "display name \(show(String(name)))")
        }
      }
      let at = address.split(separator: "@", omittingEmptySubsequences: false)
      v.expect(
        at.count == 2 && at.allSatisfy { !$0.isEmpty }
          && address.utf8.allSatisfy {
            $0 > 0x20 && $0 < 0x7F && !Array("<>,;:\"".utf8).contains($0)
          },
        "address \(show(String(address)))")
    }
  }

  static func checkMessageID(_ value: String, _ c: MailCase, _ v: inout Violations) {
    let prefix = "<\(c.createdAt).\(TokenRule.token(c.nonce, maxLength: 40)).notify-unit@"
    guard value.hasPrefix(prefix), value.hasSuffix(">") else {
      v.fail("Message-ID is \(show(value))")
      return
    }
    // RFC 5322 msg-id: the right side is a dot-atom (no "@", no empty label).
    let domain = value.dropFirst(prefix.count).dropLast()
    let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
    v.expect(
      labels.allSatisfy {
        !$0.isEmpty
          && $0.utf8.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
              || b == 0x2D
          }
      }, "Message-ID's domain \(show(String(domain))) is not a dot-atom")
  }

  static func isDate(_ value: String) -> Bool {
    // "Wed, 18 Nov 2026 11:06:40 +0000"
    let b = Array(value.utf8)
    guard b.count == 31 else { return false }
    let digits = [5, 6, 12, 13, 14, 15, 17, 18, 20, 21, 23, 24, 27, 28, 29, 30]
    return digits.allSatisfy { b[$0] >= 0x30 && b[$0] <= 0x39 } && b[3] == 0x2C
      && (b[26] == 0x2B || b[26] == 0x2D) && b[19] == 0x3A && b[22] == 0x3A
  }

  static func isToken(_ s: String) -> Bool {
    s.utf8.allSatisfy {
      ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A)
        || $0 == 0x2D || $0 == 0x2E || $0 == 0x40 || $0 == 0x5F
    }
  }

  /// C0 and C1 controls and DEL: what a header or readable text must not
  /// hold (the body's LF and tab aside).
  /// The icon a subject must start with, from systemd's raw values alone
  /// (the README's outcome table): success 💚, unless the main process
  /// exited with a status other than 0 that SuccessExitStatus= allowed (⚠️);
  /// exec-condition ⏭️; anything else ⛔.
  static func expectedIcon(result: String?, exitCode: String?, exitStatus: String?) -> String {
    switch result {
    case "success":
      let status = exitStatus.flatMap { Int($0) }
      let warned = exitCode == "exited" && status.map { (1...255).contains($0) } == true
      return warned ? "⚠️" : "💚"
    case "exec-condition": return "⏭️"
    default: return "⛔"
    }
  }

  static func hasControl(_ s: String, allowing: Set<UInt32> = []) -> Bool {
    s.unicodeScalars.contains {
      !allowing.contains($0.value) && ($0.value < 0x20 || ($0.value >= 0x7F && $0.value < 0xA0))
    }
  }

  // MARK: Parts

  static let textPartHeaders =
    "Content-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: quoted-printable"
  static let htmlPartHeaders =
    "Content-Type: text/html; charset=UTF-8\nContent-Transfer-Encoding: quoted-printable"

  /// A part's content after its exact headers.
  static func partBody(_ part: ArraySlice<UInt8>, headers: String, _ v: inout Violations)
    -> [UInt8]?
  {
    guard let split = find([0x0A, 0x0A], in: part) else {
      v.fail("part without headers")
      return nil
    }
    let head = String(decoding: part[part.startIndex..<split], as: UTF8.self)
    v.expect(head == headers, "part headers are \(show(head))")
    return Array(part[(split + 2)...])
  }

  /// The two parts between the delimiters; the boundary must occur exactly
  /// three times, each time as a whole delimiter line (the first may open
  /// the body: a nested multipart has no preamble).
  static func multipartParts(_ body: [UInt8], boundary: [UInt8], _ v: inout Violations)
    -> (first: ArraySlice<UInt8>, second: ArraySlice<UInt8>)?
  {
    let delimiter = [0x2D, 0x2D] + boundary
    var positions: [Int] = []
    var from = 0
    while let p = find(boundary, in: body, from: from) {
      positions.append(p)
      from = p + 1
    }
    guard positions.count == 3 else {
      v.fail("the boundary occurs \(positions.count) times, not 3")
      return nil
    }
    let starts = positions.map { $0 - 2 }
    for (i, s) in starts.enumerated() {
      let closing = i == 2
      let after = s + delimiter.count
      guard (i == 0 && s == 0) || (s >= 1 && body[s - 1] == 0x0A),
        body[s..<after].elementsEqual(delimiter),
        closing
          ? body[after...].elementsEqual([0x2D, 0x2D, 0x0A])
          : (after < body.count && body[after] == 0x0A)
      else {
        v.fail("boundary occurrence \(i + 1) is not a delimiter line")
        return nil
      }
    }
    // The LF before a delimiter belongs to it (RFC 2046).
    return (
      body[(starts[0] + delimiter.count + 1)..<(starts[1] - 1)],
      body[(starts[1] + delimiter.count + 1)..<(starts[2] - 1)]
    )
  }

  static func decodeTextPart(
    _ part: ArraySlice<UInt8>, headers: String, _ v: inout Violations
  ) -> [UInt8]? {
    guard let split = find([0x0A, 0x0A], in: part) else {
      v.fail("text part without headers")
      return nil
    }
    let head = String(decoding: part[part.startIndex..<split], as: UTF8.self)
    v.expect(head == headers, "text part headers are \(show(head))")
    return decodeQuotedPrintable(part[(split + 2)...], &v)
  }

  static func decodeQuotedPrintable(_ content: ArraySlice<UInt8>, _ v: inout Violations)
    -> [UInt8]?
  {
    switch StrictDecode.quotedPrintable(content) {
    case .success(let bytes): return bytes
    case .failure(let f):
      v.fail(f.description)
      return nil
    }
  }

  /// The attachment's name and its base64-decoded bytes: the log as
  /// text/plain "UNIT-ID.log", or its gzip as application/gzip
  /// "UNIT-ID.log.gz".
  static func decodeAttachment(_ part: ArraySlice<UInt8>, _ v: inout Violations)
    -> (name: String, bytes: [UInt8])?
  {
    guard let split = find([0x0A, 0x0A], in: part) else {
      v.fail("attachment without headers")
      return nil
    }
    let head = String(decoding: part[part.startIndex..<split], as: UTF8.self)
    let lines = head.split(separator: "\n", omittingEmptySubsequences: false)
    let typePrefixes = [
      "Content-Type: text/plain; charset=UTF-8; name=\"", "Content-Type: application/gzip; name=\"",
    ]
    let dispositionPrefix = "Content-Disposition: attachment; filename=\""
    guard lines.count == 3, let typePrefix = typePrefixes.first(where: lines[0].hasPrefix),
      lines[0].hasSuffix("\""), lines[1] == "Content-Transfer-Encoding: base64",
      lines[2].hasPrefix(dispositionPrefix), lines[2].hasSuffix("\"")
    else {
      v.fail("attachment headers are \(show(head))")
      return nil
    }
    let name = String(lines[0].dropFirst(typePrefix.count).dropLast())
    v.expect(
      name == String(lines[2].dropFirst(dispositionPrefix.count).dropLast()),
      "name and filename differ")
    let gzip = typePrefix == typePrefixes[1]
    v.expect(
      isToken(name) && name.hasSuffix(gzip ? ".log.gz" : ".log"), "attachment name \(show(name))")
    switch StrictDecode.base64Body(part[(split + 2)...]) {
    case .success(let bytes): return (name, bytes)
    case .failure(let f):
      v.fail(f.description)
      return nil
    }
  }

  // MARK: The readable text

  /// Checks the decoded text part; returns how many log lines it shows.
  static func checkBodyText(
    _ bytes: [UInt8], attached: Bool, _ mail: ComposedMail, _ c: MailCase, _ v: inout Violations
  ) -> Int {
    v.expect(
      bytes == mail.composer.bodyText(attachment: mail.plan),
      "the text part does not decode to the report's text")
    guard let text = StrictDecode.utf8(bytes) else {
      v.fail("the text part is not valid UTF-8")
      return 0
    }
    v.expect(
      !hasControl(text, allowing: [0x09, 0x0A]),
      "the text part holds a control character (escapes must show as symbols)")
    v.expect(
      bytes.starts(with: Array((mail.report.headline + "\n").utf8)),
      "the text does not start with the headline")
    for line in [
      Array("Unit:          ".utf8) + DisplayRule.bytes(c.unit, maxLength: 256),
      Array("Host:          ".utf8) + DisplayRule.bytes(c.host, maxLength: 256),
      Array("Log lines:     \(mail.records.count)".utf8),
    ]
      + (c.description.map {
        [Array("  Description:   ".utf8) + DisplayRule.bytes($0, maxLength: 256)]
      } ?? [])
    {
      v.expect(find([0x0A] + line + [0x0A], in: bytes) != nil, "the text lacks \(show(line))")
    }
    // The text ends with the command that shows the whole run on the host
    // (systemd 252 has no `journalctl --invocation`), after a blank line:
    // none can occur in the log, whose continuation lines are indented.
    let trailer = expectedTrailer(c)
    v.expect(
      bytes.ends(with: trailer),
      "the text does not end with the whole run's command \(show(trailer))")
    let records = mail.records
    if records.isEmpty {
      v.expect(
        bytes.ends(with: "\nNo log lines were found for this invocation.\n" + trailer),
        "an empty log is not said so")
      return 0
    }
    // The log's header line, then the readable lines.
    let all = Array(bytes.dropLast(trailer.utf8.count))
    var shown = records.count
    let start: Int
    if let p = find(Array("\nLog:\n".utf8), in: all) {
      start = p + 6
    } else if let p = find(Array("\nLog (the last ".utf8), in: all),
      let end = all[(p + 1)...].firstIndex(of: 0x0A)
    {
      start = end + 1
      let header = String(decoding: all[(p + 1)..<end], as: UTF8.self)
      let words = header.split(separator: " ")
      guard words.count >= 6, let n = Int(words[3]), words[5] == "\(records.count)" else {
        v.fail("log header \(show(header))")
        return 0
      }
      shown = n
      v.expect(
        header.contains(" is attached as ") == attached,
        "the log header \(show(header)) and the attachment disagree")
    } else {
      v.fail("no log header in the text")
      return 0
    }
    v.expect(
      shown <= c.bodyMaxLines && shown <= records.count,
      "\(shown) lines shown, over BODY_MAX_LINES \(c.bodyMaxLines)")
    let section = Array(all[start...])
    v.expect(
      shown <= 1 || section.count <= c.bodyMaxBytes,
      "\(section.count) log bytes shown, over BODY_MAX_BYTES \(c.bodyMaxBytes)")
    checkReadableLines(section, records.suffix(shown), c, &v)
    return shown
  }

  /// "\nThe whole run, on HOST:\njournalctl MATCHES -o short-iso
  /// --no-pager\n" with the invocation's three fields OR-ed, as checked on
  /// Debian 12's journalctl; nothing without an invocation ID.
  static func expectedTrailer(_ c: MailCase) -> String {
    guard let id = c.invocation.flatMap(normalizedInvocationID) else { return "" }
    return "\nThe whole run, on \(DisplayRule.shown(c.host, maxLength: 200)):\n"
      + "journalctl _SYSTEMD_INVOCATION_ID=\(id) + INVOCATION_ID=\(id)"
      + " + USER_INVOCATION_ID=\(id) -o short-iso --no-pager\n"
  }

  /// The readable form, from LogRenderer's documentation: the prefix, then
  /// the message with invalid UTF-8 repaired, C0 controls as control
  /// pictures (U+2400 + code), DEL as U+2421, C1 controls as U+FFFD, an
  /// invisible format control by its name (DisplayRule), and
  /// an embedded LF as LF plus an indent as wide as the prefix (at most 48).
  static func readable(_ record: LogRecord, renderer: LogRenderer) -> (
    line: [UInt8], prefix: [UInt8], isCut: Bool
  ) {
    let prefix = LogLineRule.prefix(record)
    let budget = max(32, renderer.maxReadableLineBytes - prefix.count)
    var out = prefix
    let indent = [UInt8](repeating: 0x20, count: min(prefix.count, 48))
    for scalar in String(decoding: record.message, as: UTF8.self).unicodeScalars {
      let v = scalar.value
      if DisplayRule.isInvisibleFormat(scalar) {
        out += Array(DisplayRule.name(scalar).utf8)
        continue
      }
      let shown: Unicode.Scalar =
        switch v {
        case 0x0A, 0x09: scalar
        case 0..<0x20: Unicode.Scalar(0x2400 + v)!
        case 0x7F: "\u{2421}"
        case 0x80..<0xA0: "\u{FFFD}"
        default: scalar
        }
      UTF8.encode(shown) { out.append($0) }
      if v == 0x0A { out += indent }
    }
    out.append(0x0A)
    return (out, prefix, record.message.count > budget)
  }

  static func expectedCutCount(_ mail: ComposedMail, _ c: MailCase, shown: Int) -> Int {
    mail.records.suffix(shown).filter { readable($0, renderer: c.renderer).isCut }.count
  }

  /// The shown lines equal their readable form, exactly where no line is
  /// cut; a cut line starts with its prefix and says how much was left out.
  static func checkReadableLines(
    _ section: [UInt8], _ records: ArraySlice<LogRecord>, _ c: MailCase, _ v: inout Violations
  ) {
    let forms = records.map { readable($0, renderer: c.renderer) }
    // Exact from the start up to the first cut line...
    var offset = 0
    for form in forms {
      if form.isCut {
        v.expect(
          section[offset...].starts(with: form.prefix),
          "a cut log line does not start with its prefix")
        break
      }
      guard section[offset...].starts(with: form.line) else {
        v.fail(
          "log line differs from its readable form: \(show(section[offset...].prefix(120))) vs \(show(form.line.prefix(120)))"
        )
        return
      }
      offset += form.line.count
    }
    // ...and from the last cut line to the end.
    var end = section.count
    for form in forms.reversed() {
      if form.isCut { break }
      guard end >= form.line.count, section[..<end].suffix(form.line.count).elementsEqual(form.line)
      else {
        v.fail("log line at the end differs from its readable form: \(show(form.line.prefix(120)))")
        return
      }
      end -= form.line.count
    }
    let cut = forms.filter(\.isCut).count
    let marker = Array(" bytes left out …] ".utf8)
    var markers = 0
    var from = 0
    while let p = find(marker, in: section, from: from) {
      markers += 1
      from = p + 1
    }
    v.expect(markers >= cut, "\(cut) cut lines but \(markers) notes of what was left out")
    if cut == 0 { v.expect(offset == section.count, "the log has bytes after its last line") }
  }

  // MARK: The attachment

  /// The attachment holds the exact log, or its end from a line's start
  /// after a note, within the limit: on the plain log's bytes, or on the
  /// gzip's when compressed. It is compressed exactly when the log is over
  /// the compression threshold (with a compressor, and a limit of 64 bytes
  /// or more); the text says whether it is the whole log.
  static func checkAttachment(
    _ name: String, _ attached: [UInt8], text: [UInt8], _ mail: ComposedMail, _ c: MailCase,
    _ v: inout Violations
  ) {
    let unitToken = TokenRule.token(c.unit, maxLength: 100)
    v.expect(name.hasPrefix(unitToken), "attachment name \(show(name)) is not the unit's")
    // The exact log: each entry's prefix and message, invalid UTF-8 as
    // U+FFFD, nothing else changed.
    var expected: [UInt8] = []
    for record in mail.records { expected += LogLineRule.exactLine(record) }
    let cap = c.attachmentMaxBytes
    let gzip = name.hasSuffix(".gz")
    let mustCompress = c.withCompressor && expected.count > c.compressAboveBytes && cap >= 64
    v.expect(
      gzip == mustCompress,
      "the attachment is \(gzip ? "" : "not ")compressed, with \(expected.count) log bytes")
    var decoded = attached
    if gzip {
      v.expect(attached.count <= cap, "the gzip has \(attached.count) bytes, over \(cap)")
      switch Gunzip.decode(attached) {
      case .success(let bytes): decoded = bytes
      case .failure(let f):
        v.fail("the attached gzip: \(f)")
        return
      }
    } else {
      v.expect(decoded.count <= cap, "the attachment has \(decoded.count) bytes, over \(cap)")
    }
    v.expect(StrictDecode.utf8(decoded) != nil, "the attachment is not valid UTF-8")
    // Whole whenever it fits: deflate grows no input by more than a
    // fraction of a percent and a few bytes.
    let fitsWhole = gzip ? expected.count + expected.count / 100 + 64 <= cap : expected.count <= cap
    let whole = decoded == expected
    v.expect(!fitsWhole || whole, "the attachment (\(decoded.count) bytes) is not the exact log")
    let says = find(Array("; the whole log is attached as \(name)".utf8), in: text) != nil
    v.expect(says == whole, "the text says the whole log is \(says ? "" : "not ")attached")
    guard !whole else { return }
    var rest = decoded[...]
    let note = "[notify-unit: this log has \(expected.count) bytes, over the attachment limit"
    if decoded.starts(with: Array(note.utf8)), let nl = decoded.firstIndex(of: 0x0A) {
      rest = decoded[(nl + 1)...]
    }
    v.expect(
      expected.suffix(rest.count).elementsEqual(rest)
        && (rest.count == expected.count || expected[expected.count - rest.count - 1] == 0x0A),
      "the attachment is not the log's end from a line's start")
  }

  // MARK: Bytes

  static func find<C: RandomAccessCollection<UInt8>>(
    _ needle: [UInt8], in haystack: C, from: Int? = nil
  ) -> Int? where C.Index == Int {
    var i = from ?? haystack.startIndex
    let last = haystack.endIndex - needle.count
    while i <= last {
      if haystack[i] == needle[0], haystack[i..<(i + needle.count)].elementsEqual(needle) {
        return i
      }
      i += 1
    }
    return nil
  }
}

extension [UInt8] {
  /// By bytes: String's hasSuffix compares Characters, not what was written.
  func ends(with suffix: String) -> Bool { reversed().starts(with: suffix.utf8.reversed()) }
}
