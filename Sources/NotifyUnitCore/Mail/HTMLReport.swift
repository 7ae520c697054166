/// The report as an HTML document for the mail's text/html alternative,
/// made for a phone: a status banner in the verdict's colour, the reason
/// up front, the summary as a small table, and the log's tail in a
/// monospace block that wraps instead of widening the page, its time stamps
/// cut to the time of day (the date is in the summary) and its error and
/// warning lines marked.
///
/// Self-contained, since mail clients strip scripts, block remote content
/// and often drop `<style>`: inline `style=` attributes only, no script, no
/// event handler, nothing loaded. Every text from outside (log, unit, host,
/// reason) goes through `HTMLEscaping`; log lines come already readable
/// (controls as symbols, long entries cut), as the text part shows them.
public struct HTMLReport {
  public var headline: String
  public var verdict: Verdict
  public var reason: String?
  public var summary: [(String, String)]
  public var status: [(String, String)]
  public var notes: [String]
  /// "Log:", "Log (the last 200 of 900 lines; ...)", or that there is none.
  public var logHeading: String
  public var lines: ArraySlice<[UInt8]>
  /// "The whole run, on nas:" and the command, when there is one.
  public var command: (intro: String, line: String)?

  /// Background and text colour of the banner; the reason's accent.
  var colours: (banner: String, text: String, tint: String) {
    switch verdict {
    case .failure, .interrupted: ("#b3261e", "#ffffff", "#fdecea")
    case .warning: ("#f5a623", "#1f1600", "#fff4db")
    case .success: ("#1e7b34", "#ffffff", "#e8f5ec")
    case .skipped: ("#5f6368", "#ffffff", "#f1f3f4")
    }
  }

  static let font =
    "font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif"
  static let mono =
    "font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,'DejaVu Sans Mono',monospace"
  /// Long words (hashes, paths, URLs) break anywhere rather than widen the
  /// page.
  static let wrap = "overflow-wrap:anywhere;word-break:break-word"

  public func document() -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(4096 + lines.reduce(0) { $0 + $1.count * 5 / 4 + 80 })
    let c = colours
    out += bytes(
      """
      <!DOCTYPE html>
      <html><head><meta charset="utf-8">
      <meta name="viewport" content="width=device-width, initial-scale=1">
      <title>
      """)
    HTMLEscaping.append(headline, to: &out)
    out += bytes(
      """
      </title></head>
      <body style="margin:0;padding:0;background:#ffffff;color:#1f2328;\(Self.font)">
      <div style="background:\(c.banner);color:\(c.text);padding:14px 16px;font-size:17px;\
      line-height:1.35;font-weight:600;\(Self.wrap)">
      """)
    HTMLEscaping.append(headline, to: &out)
    out += bytes("</div>\n<div style=\"padding:4px 12px 16px;max-width:760px\">\n")
    if let reason {
      out += bytes(
        "<div style=\"margin:12px 0;padding:10px 12px;border-left:4px solid \(c.banner);"
          + "background:\(c.tint);font-size:16px;font-weight:600;\(Self.wrap)\">")
      HTMLEscaping.append(reason, to: &out)
      out += bytes("</div>\n")
    }
    appendTable(summary, to: &out)
    if !status.isEmpty {
      out += bytes("<p style=\"margin:14px 0 4px;font-weight:600\">Status (from systemd)</p>\n")
      appendTable(status, to: &out)
    }
    if !notes.isEmpty {
      out += bytes("<ul style=\"margin:12px 0;padding-left:20px;\(Self.wrap)\">\n")
      for note in notes {
        out += bytes("<li>")
        HTMLEscaping.append(note, to: &out)
        out += bytes("</li>\n")
      }
      out += bytes("</ul>\n")
    }
    out += bytes("<p style=\"margin:16px 0 6px;font-weight:600;\(Self.wrap)\">")
    HTMLEscaping.append(logHeading, to: &out)
    out += bytes("</p>\n")
    if !lines.isEmpty { appendLog(to: &out) }
    if let command {
      out += bytes("<p style=\"margin:14px 0 4px;font-size:13px;color:#57606a\">")
      HTMLEscaping.append(command.intro, to: &out)
      out += bytes(
        "</p>\n<div style=\"\(Self.mono);font-size:12px;padding:6px 8px;background:#f6f8fa;"
          + "border-radius:4px;\(Self.wrap)\">")
      HTMLEscaping.append(command.line, to: &out)
      out += bytes("</div>\n")
    }
    out += bytes("</div>\n</body></html>\n")
    return out
  }

  func appendTable(_ rows: [(String, String)], to out: inout [UInt8]) {
    out += bytes(
      "<table role=\"presentation\" style=\"width:100%;border-collapse:collapse;"
        + "table-layout:fixed;font-size:14px;line-height:1.35\">\n")
    for (label, value) in rows {
      out += bytes(
        "<tr><th style=\"width:7.5em;text-align:left;vertical-align:top;font-weight:normal;"
          + "color:#57606a;padding:3px 8px 3px 0\">")
      HTMLEscaping.append(label, to: &out)
      out += bytes("</th><td style=\"padding:3px 0;\(Self.wrap)\">")
      HTMLEscaping.append(value, to: &out)
      out += bytes("</td></tr>\n")
    }
    out += bytes("</table>\n")
  }

  /// One block per entry: a continuation line of an entry stays in its
  /// block, indented by the time of day's width. No newline between the
  /// blocks: in a pre-wrap block it would show as an empty line.
  func appendLog(to out: inout [UInt8]) {
    out += bytes(
      "<div style=\"\(Self.mono);font-size:12px;line-height:1.4;white-space:pre-wrap;"
        + "\(Self.wrap);background:#f6f8fa;border:1px solid #d0d7de;border-radius:6px;"
        + "padding:6px 8px\">")
    for line in lines {
      guard let parts = LogRenderer.parts(ofReadableLine: line) else {
        out += bytes("<div>")
        HTMLEscaping.append(line.last == 0x0A ? line.dropLast() : line[...], to: &out)
        out += bytes("</div>")
        continue
      }
      switch FailureReason.mark(parts.message, priority: parts.priority) {
      case .error?: out += Self.errorLine
      case .warning?: out += Self.warningLine
      case nil: out += Self.plainLine
      }
      out += Self.timeOpen
      out += parts.timeOfDay
      out += Self.timeClose
      HTMLEscaping.append(parts.source, to: &out)
      out.append(0x20)
      let indent = min(parts.message.startIndex, 48)
      var rest = parts.message
      while let newline = rest.firstIndex(of: 0x0A) {
        HTMLEscaping.append(rest[..<newline], to: &out)
        out += Self.continuation
        rest = rest[(newline + 1)...]
        rest = rest.dropFirst(min(indent, rest.prefix { $0 == 0x20 }.count))
      }
      HTMLEscaping.append(rest, to: &out)
      out += bytes("</div>")
    }
    out += bytes("</div>\n")
  }

  static let errorLine = bytes(
    "<div style=\"background:#ffebe9;color:#82071e;border-left:3px solid #cf222e;"
      + "padding-left:4px\">")
  static let warningLine = bytes(
    "<div style=\"background:#fff8c5;color:#633c01;border-left:3px solid #d4a72c;"
      + "padding-left:4px\">")
  static let plainLine = bytes("<div style=\"padding-left:7px\">")
  static let timeOpen = bytes("<span style=\"color:#6e7781\">")
  static let timeClose = bytes("</span> ")
  static let continuation = bytes("\n         ")
}

private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
