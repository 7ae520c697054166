/// What a webhook receives for one run (WEBHOOK_URL): notify-unit's own
/// JSON document (docs/webhook.md, versioned), or Slack's incoming-webhook
/// form (`WEBHOOK_FORMAT=slack`), which Slack, Mattermost, Rocket.Chat and
/// Discord's `/slack` endpoint accept.
public enum WebhookPayload {
  /// The document's schema version: a new field keeps it, a changed or
  /// removed one raises it.
  public static let version = 1

  /// The log lines a document carries at most, and their bytes.
  public static let tailLines = 50
  public static let tailBytes = 16 * 1024

  public enum Format: String, Sendable, CaseIterable {
    case json, slack
  }

  /// The run's last readable lines, each without its line end.
  static func tail(_ report: Report, maxLines: Int, maxBytes: Int) -> [String] {
    report.tail.suffix(maxLines: maxLines, maxBytes: maxBytes).map { line in
      String(decoding: line.last == 0x0A ? line.dropLast() : line[...], as: UTF8.self)
    }
  }

  public static func json(_ report: Report, renderer: LogRenderer) -> [UInt8] {
    let facts = RunFacts(report: report)
    let utc = LogRenderer(zone: .utc, maxReadableLineBytes: renderer.maxReadableLineBytes)
    let time = { (t: UInt64?) in JSON.optional(t.map(utc.timestamp)) }
    let document = JSON.object([
      ("version", String(version)),
      ("unit", JSON.string(facts.unit)),
      ("host", JSON.string(facts.host)),
      ("result", JSON.string(facts.result)),
      ("outcome", JSON.string(facts.verdict.rawValue)),
      ("success", JSON.bool(facts.verdict.isUp)),
      ("recovered", JSON.bool(report.recovered)),
      ("invocation", JSON.optional(facts.invocation)),
      ("exit_code", JSON.optional(facts.exitCode)),
      ("exit_status", JSON.optional(facts.exitStatus)),
      ("started", time(facts.started)),
      ("finished", time(facts.finished)),
      ("duration_seconds", facts.durationSeconds.map(JSON.number) ?? "null"),
      ("reason", JSON.optional(facts.reason)),
      ("summary", JSON.string(report.headline)),
      ("log_lines", String(report.lineCount)),
      (
        "log_tail",
        JSON.array(tail(report, maxLines: tailLines, maxBytes: tailBytes).map(JSON.string))
      ),
      ("notes", JSON.array(facts.notes.map(JSON.string))),
      ("reported_at", time(facts.reportedAt)),
    ])
    return Array((document + "\n").utf8)
  }

  /// Slack's mrkdwn text object holds at most 3,000 characters.
  static let slackTextLimit = 3000

  /// `text` (the notification's line) and blocks: the headline and reason,
  /// then the log's last lines in a code block. Only &, < and > are escaped,
  /// as Slack asks: a log line cannot make a link or a mention.
  public static func slack(_ report: Report) -> [UInt8] {
    let escape = { (s: String) -> String in
      var out = ""
      for c in s {
        switch c {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        default: out.append(c)
        }
      }
      return out
    }
    let headline = escape(report.headline)
    var summary = "*\(headline)*"
    if let reason = report.reason { summary += "\n" + escape(reason) }
    for note in report.notes.prefix(3) {
      summary += "\n_" + escape(note.sanitizedForDisplay(maxLength: 300)) + "_"
    }
    summary = String(summary.prefix(slackTextLimit))
    // The code block's end marks stay inside the limit: lines from the end while they fit.
    var lines = tail(report, maxLines: 20, maxBytes: slackTextLimit).map(escape)
    while !lines.isEmpty, lines.joined(separator: "\n").count + 8 > slackTextLimit {
      lines.removeFirst()
    }
    var blocks = [
      JSON.object([
        ("type", JSON.string("section")),
        ("text", JSON.object([("type", JSON.string("mrkdwn")), ("text", JSON.string(summary))])),
      ])
    ]
    if !lines.isEmpty {
      let code = "```" + lines.joined(separator: "\n").replacingBackticks() + "```"
      blocks.append(
        JSON.object([
          ("type", JSON.string("section")),
          ("text", JSON.object([("type", JSON.string("mrkdwn")), ("text", JSON.string(code))])),
        ]))
    }
    let document = JSON.object([
      ("text", JSON.string(headline)), ("blocks", JSON.array(blocks)),
    ])
    return Array((document + "\n").utf8)
  }
}

extension String {
  /// Three backticks in a log line would end the code block early: the
  /// middle one becomes a modifier letter grave accent (U+02CB).
  fileprivate func replacingBackticks() -> String {
    var out = ""
    var run = 0
    for c in self {
      if c == "`" {
        run += 1
        out.append(run % 3 == 2 ? "ˋ" : "`")
      } else {
        run = 0
        out.append(c)
      }
    }
    return out
  }
}
