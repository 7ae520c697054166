/// Writes the report as one RFC 5322 / MIME message (UTF-8, LF line ends as
/// sendmail expects them on its standard input).
///
/// Shape: a `text/plain` part (summary and the log's readable tail,
/// quoted-printable) and, when the body cannot show the whole log, a
/// `multipart/mixed` with the exact log attached (base64). Every line is far
/// below 998 octets whatever the log holds. The attachment is streamed from
/// a `LogArchive`, so no run holds the whole log in memory.
public struct MailComposer {
  public var report: Report
  public var settings: MailSettings
  public var renderer: LogRenderer
  /// Random bits for Message-ID and boundary.
  public var nonce: String

  public init(report: Report, settings: MailSettings, renderer: LogRenderer, nonce: String) {
    self.report = report
    self.settings = settings
    self.renderer = renderer
    self.nonce = HeaderEncoding.token(nonce, maxLength: 40)
  }

  /// The log lines the body shows.
  var bodyLines: ArraySlice<[UInt8]> {
    report.tail.suffix(maxLines: settings.bodyMaxLines, maxBytes: settings.bodyMaxBytes)
  }

  /// An attachment is needed when the body shows less than the whole log.
  public var needsAttachment: Bool {
    settings.attachmentMaxBytes > 0
      && (bodyLines.count < report.lineCount || report.cutLineCount > 0)
  }

  var boundary: String { "=_notify-unit_\(nonce)" }

  /// The Message-ID's right side, a dot-atom (RFC 5322): a host name with
  /// "@", empty labels or other characters must not make it two "@"s or
  /// "a..b".
  var domain: String {
    let labels = HeaderEncoding.token(report.host, maxLength: 200)
      .split(separator: ".")
      .map { $0.split(whereSeparator: { $0 == "_" || $0 == "@" }).joined(separator: "-") }
      .filter { !$0.isEmpty }
    return labels.isEmpty ? "localhost" : labels.joined(separator: ".")
  }

  public var headers: [(String, String)] {
    var h: [(String, String)] = [
      ("From", settings.sender.headerValue),
      ("To", settings.recipients.map(\.headerValue).joined(separator: ",\n ")),
      ("Subject", HeaderEncoding.encodedWords(report.headline)),
      ("Date", HeaderEncoding.date(report.createdAt, zone: renderer.zone)),
      ("Message-ID", "<\(report.createdAt).\(nonce).notify-unit@\(domain)>"),
      ("MIME-Version", "1.0"),
      ("Auto-Submitted", "auto-generated"),
      ("X-Notify-Unit-Result", HeaderEncoding.token(report.outcome.resultWord)),
    ]
    if let id = report.invocationID {
      h.append(("X-Notify-Unit-Invocation", HeaderEncoding.token(id)))
    }
    return h
  }

  /// The summary and the tail, as readable UTF-8 text; `attached` says
  /// whether the log goes along as an attachment.
  public func bodyText(attached: Bool) -> [UInt8] {
    var lines: [String] = []
    let r = report
    lines.append(r.headline)
    lines.append("")
    lines.append("Unit:          \(r.unit.sanitizedForDisplay())")
    lines.append("Host:          \(r.host.sanitizedForDisplay())")
    let explanation = r.outcome.result?.explanation ?? "SERVICE_RESULT was not set"
    if let reason = r.reason { lines.append("Reason:        \(reason)") }
    lines.append("Outcome:       \(r.verdict.rawValue)")
    lines.append("Result:        \(r.outcome.resultWord) (\(explanation))")
    lines.append(
      "Main process:  \(r.outcome.mainProcess?.description(job: r.job) ?? "no exit status (not started, or not reported)")"
    )
    if let interruption = r.interruption {
      lines.append("Started:       \(renderer.timestamp(interruption.startedAt)) (never finished)")
    }
    for (label, value) in r.resticSummary?.lines ?? [] {
      lines.append("\(label):" + String(repeating: " ", count: max(1, 14 - label.count)) + value)
    }
    lines.append("Invocation:    \(r.invocationID ?? "unknown")")
    if let first = r.firstTimestamp, let last = r.lastTimestamp {
      lines.append("First log:     \(renderer.timestamp(first))")
      lines.append("Last log:      \(renderer.timestamp(last))")
      lines.append(
        "Duration:      \(formatDuration(r.logSpanSeconds ?? 0)) (first to last log line)")
    }
    lines.append("Log lines:     \(r.lineCount)")
    if let source = r.source { lines.append("Reported from: \(source)") }
    if let status = r.status {
      lines.append("")
      lines.append("Status (from systemd):")
      for (label, value) in status.summaryLines(renderer: renderer) {
        let pad = String(repeating: " ", count: max(1, 14 - label.count))
        lines.append("  \(label):\(pad)\(value)")
      }
    }
    if !r.notes.isEmpty {
      lines.append("")
      lines.append("Notes:")
      for note in r.notes { lines.append("- \(note.sanitizedForDisplay(maxLength: 600))") }
    }
    lines.append("")
    let shown = bodyLines
    if r.lineCount == 0 {
      lines.append("No log lines were found for this invocation.")
    } else if shown.count < r.lineCount || r.cutLineCount > 0 {
      let whole = r.exactLogBytes <= settings.attachmentMaxBytes ? "the whole log" : "the log's end"
      let attachment = attached ? "; \(whole) is attached as \(attachmentName)" : ""
      lines.append("Log (the last \(shown.count) of \(r.lineCount) lines\(attachment)):")
    } else {
      lines.append("Log:")
    }
    var text = Array(lines.joined(separator: "\n").utf8)
    text.append(0x0A)
    for line in shown { text += line }
    return text
  }

  var attachmentName: String {
    let id = report.invocationID.map { "-" + $0.prefix(12) } ?? ""
    return HeaderEncoding.token(report.unit, maxLength: 100) + id + ".log"
  }

  /// Writes the whole message; the log is attached from `archive` when the
  /// body cannot show all of it.
  public func write(to sink: ByteSink, archive: LogArchive?) throws {
    let attach = needsAttachment && archive != nil
    var head = headers
    if attach {
      head.append(("Content-Type", "multipart/mixed; boundary=\"\(boundary)\""))
    } else {
      head.append(("Content-Type", "text/plain; charset=UTF-8"))
      head.append(("Content-Transfer-Encoding", "quoted-printable"))
    }
    var out = ""
    for (name, value) in head { out += "\(name): \(value)\n" }
    out += "\n"
    if attach {
      out += "This is a MIME message: the report is in the first part, the log attached.\n\n"
      out += "--\(boundary)\n"
      out += "Content-Type: text/plain; charset=UTF-8\n"
      out += "Content-Transfer-Encoding: quoted-printable\n\n"
    }
    try sink.write(Array(out.utf8))
    try sink.write(QuotedPrintable.encode(bodyText(attached: attach)))
    guard attach else { return }

    var part = "\n--\(boundary)\n"
    part += "Content-Type: text/plain; charset=UTF-8; name=\"\(attachmentName)\"\n"
    part += "Content-Transfer-Encoding: base64\n"
    part += "Content-Disposition: attachment; filename=\"\(attachmentName)\"\n\n"
    try sink.write(Array(part.utf8))
    try writeAttachment(to: sink, archive: archive!)
    try sink.write(Array("\n--\(boundary)--\n".utf8))
  }

  /// The exact log, from its end when it is over the cap, with a note at
  /// the top saying how much was left out.
  func writeAttachment(to sink: ByteSink, archive: LogArchive) throws {
    var encoder = Base64.LineEncoder()
    let cap = settings.attachmentMaxBytes
    var room = cap
    if archive.totalBytes > cap {
      // The note counts against the cap.
      let note = Array(
        "[notify-unit: this log has \(archive.totalBytes) bytes, over the attachment limit of \(cap): only its end is attached, from the first whole line]\n"
          .utf8)
      if note.count < cap {
        try encoder.write(note, to: sink)
        room -= note.count
      }
    }
    _ = try archive.readTail(maxBytes: room) { chunk in try encoder.write(chunk, to: sink) }
    try encoder.finish(to: sink)
  }
}
