/// Writes the report as one RFC 5322 / MIME message (UTF-8, LF line ends as
/// sendmail expects them on its standard input).
///
/// Shape: a `multipart/alternative` of a `text/plain` part (summary, the
/// log's readable tail and the command that shows the whole run;
/// quoted-printable, the authoritative text) and a `text/html` one (the
/// same for a phone, see `HTMLReport`); when the body cannot show the whole
/// log, a `multipart/mixed` around it with the exact log attached (base64).
/// Every line is far below 998 octets whatever the log holds. The attachment is streamed from
/// a `LogArchive`, so no run holds the whole log in memory.
public struct MailComposer {
  public var report: Report
  public var settings: MailSettings
  public var renderer: LogRenderer
  /// Random bits for Message-ID and boundary.
  public var nonce: String
  /// Compresses a large attached log (see `MailSettings.compressAboveBytes`);
  /// without one, logs are attached plain.
  public var compressor: (any LogCompressor)?

  public init(
    report: Report, settings: MailSettings, renderer: LogRenderer, nonce: String,
    compressor: (any LogCompressor)? = nil
  ) {
    self.report = report
    self.settings = settings
    self.renderer = renderer
    self.nonce = HeaderEncoding.token(nonce, maxLength: 40)
    self.compressor = compressor
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

  /// The summary's lines as label and value, in order: the text part
  /// aligns them, the HTML part puts them in a table.
  var summaryRows: [(String, String)] {
    let r = report
    var rows: [(String, String)] = [
      ("Unit", r.unit.sanitizedForDisplay()), ("Host", r.host.sanitizedForDisplay()),
    ]
    if let reason = r.reason { rows.append(("Reason", reason)) }
    let explanation = r.outcome.result?.explanation ?? "SERVICE_RESULT was not set"
    rows.append(("Outcome", r.verdict.rawValue))
    rows.append(("Result", "\(r.outcome.resultWord) (\(explanation))"))
    rows.append(
      (
        "Main process",
        r.outcome.mainProcess?.description(job: r.job)
          ?? "no exit status (not started, or not reported)"
      ))
    if let interruption = r.interruption {
      rows.append(("Started", "\(renderer.timestamp(interruption.startedAt)) (never finished)"))
    }
    rows += r.resticSummary?.lines ?? []
    rows.append(("Invocation", r.invocationID ?? "unknown"))
    if let first = r.firstTimestamp, let last = r.lastTimestamp {
      rows.append(("First log", renderer.timestamp(first)))
      rows.append(("Last log", renderer.timestamp(last)))
      rows.append(
        ("Duration", "\(formatDuration(r.logSpanSeconds ?? 0)) (first to last log line)"))
    }
    rows.append(("Log lines", "\(r.lineCount)"))
    if let source = r.source { rows.append(("Reported from", source)) }
    return rows
  }

  /// The line above the log, or the sentence saying there is none.
  func logHeading(attachment plan: AttachmentPlan?) -> String {
    let r = report
    let shown = bodyLines.count
    if r.lineCount == 0 { return "No log lines were found for this invocation." }
    guard shown < r.lineCount || r.cutLineCount > 0 else { return "Log:" }
    var attachment = ""
    if let plan {
      let whole = plan.isWhole ? "the whole log" : "the log's end"
      let name = attachmentName(compressed: plan.compressed)
      attachment = "; \(whole) is attached as \(name)\(plan.compressed ? " (gzip)" : "")"
    }
    return "Log (the last \(shown) of \(r.lineCount) lines\(attachment)):"
  }

  /// The command that shows the whole run on the host, for systemd 252 too
  /// (no `journalctl --invocation` there): the same fields OR-ed that
  /// notify-unit matches, the service's lines and the manager's about it.
  public var wholeRunCommand: (intro: String, line: String)? {
    guard let id = report.invocationID else { return nil }
    let matches = ["_SYSTEMD_INVOCATION_ID", "INVOCATION_ID", "USER_INVOCATION_ID"]
      .map { "\($0)=\(HeaderEncoding.token(id))" }.joined(separator: " + ")
    return (
      "The whole run, on \(report.host.sanitizedForDisplay(maxLength: 200)):",
      "journalctl \(matches) -o short-iso --no-pager"
    )
  }

  /// The summary and the tail, as readable UTF-8 text, then the command
  /// that shows the whole run; `attachment` says what goes along, if
  /// anything.
  public func bodyText(attachment: AttachmentPlan?) -> [UInt8] {
    var lines: [String] = []
    let r = report
    lines.append(r.headline)
    lines.append("")
    for (label, value) in summaryRows { lines.append(Self.aligned(label, value, width: 15)) }
    if let status = r.status {
      lines.append("")
      lines.append("Status (from systemd):")
      for (label, value) in status.summaryLines(renderer: renderer) {
        lines.append("  " + Self.aligned(label, value, width: 15))
      }
    }
    if !r.notes.isEmpty {
      lines.append("")
      lines.append("Notes:")
      for note in r.notes { lines.append("- \(note.sanitizedForDisplay(maxLength: 600))") }
    }
    lines.append("")
    lines.append(logHeading(attachment: attachment))
    var text = Array(lines.joined(separator: "\n").utf8)
    text.append(0x0A)
    for line in r.lineCount == 0 ? [] : bodyLines { text += line }
    if let command = wholeRunCommand {
      text += Array("\n\(command.intro)\n\(command.line)\n".utf8)
    }
    return text
  }

  /// "Label:" padded to `width`, then the value.
  static func aligned(_ label: String, _ value: String, width: Int) -> String {
    "\(label):" + String(repeating: " ", count: max(1, width - label.count - 1)) + value
  }

  /// The same report as an HTML document (the text/html alternative).
  public func bodyHTML(attachment: AttachmentPlan?) -> [UInt8] {
    let r = report
    return HTMLReport(
      // The reason stands out above the table, not in it.
      headline: r.headline, verdict: r.verdict, reason: r.reason,
      summary: summaryRows.filter { $0.0 != "Reason" },
      status: r.status?.summaryLines(renderer: renderer) ?? [],
      notes: r.notes.map { $0.sanitizedForDisplay(maxLength: 600) },
      logHeading: logHeading(attachment: attachment), lines: r.lineCount == 0 ? [] : bodyLines,
      command: wholeRunCommand
    ).document()
  }

  func attachmentName(compressed: Bool) -> String {
    let id = report.invocationID.map { "-" + $0.prefix(12) } ?? ""
    let gz = compressed ? HeaderEncoding.token(compressor?.fileExtension ?? "", maxLength: 8) : ""
    return HeaderEncoding.token(report.unit, maxLength: 100) + id + ".log" + gz
  }

  var alternativeBoundary: String { "=_notify-unit-alt_\(nonce)" }

  /// Writes the whole message: the report as text and as HTML
  /// (multipart/alternative, text first: clients show the last part they
  /// can), and the log attached from `archive` when the body cannot show
  /// all of it (multipart/mixed around the two).
  public func write(to sink: ByteSink, archive: LogArchive?) throws {
    let plan = needsAttachment ? try archive.map(attachmentPlan(archive:)) : nil
    let attach = plan != nil
    var head = headers
    let alternative = "multipart/alternative; boundary=\"\(alternativeBoundary)\""
    head.append(
      ("Content-Type", attach ? "multipart/mixed; boundary=\"\(boundary)\"" : alternative))
    var out = ""
    for (name, value) in head { out += "\(name): \(value)\n" }
    out += "\n"
    if attach {
      out += "This is a MIME message: the report is in the first part, the log attached.\n\n"
      out += "--\(boundary)\n"
      out += "Content-Type: \(alternative)\n\n"
    } else {
      out += "This is a MIME message: the report as plain text and as HTML.\n\n"
    }
    out += "--\(alternativeBoundary)\n"
    out += "Content-Type: text/plain; charset=UTF-8\n"
    out += "Content-Transfer-Encoding: quoted-printable\n\n"
    try sink.write(Array(out.utf8))
    try sink.write(QuotedPrintable.encode(bodyText(attachment: plan)))
    out = "\n--\(alternativeBoundary)\n"
    out += "Content-Type: text/html; charset=UTF-8\n"
    out += "Content-Transfer-Encoding: quoted-printable\n\n"
    try sink.write(Array(out.utf8))
    try sink.write(QuotedPrintable.encode(bodyHTML(attachment: plan)))
    try sink.write(Array("\n--\(alternativeBoundary)--\n".utf8))
    guard let plan, let archive else { return }

    let name = attachmentName(compressed: plan.compressed)
    let type =
      plan.compressed
      ? compressor?.contentType ?? "application/octet-stream" : "text/plain; charset=UTF-8"
    var part = "\n--\(boundary)\n"
    part += "Content-Type: \(type); name=\"\(name)\"\n"
    part += "Content-Transfer-Encoding: base64\n"
    part += "Content-Disposition: attachment; filename=\"\(name)\"\n\n"
    try sink.write(Array(part.utf8))
    try writeAttachment(plan, to: sink, archive: archive)
    try sink.write(Array("\n--\(boundary)--\n".utf8))
  }
}
