/// The body of a finish ping: a one-line summary and the log's readable
/// tail, valid UTF-8 without control characters (Healthchecks has failed on
/// bodies that were not), cut to the server's `Ping-Body-Limit`.
///
/// Healthchecks keeps the *first* bytes of a body, so the client sends the
/// *last* lines, and says so on the first line when it cut.
public enum PingBody {
  /// The hosted service's limit; a server's own `Ping-Body-Limit` header
  /// replaces it once seen.
  public static let defaultLimit = 100_000

  public static func make(report: Report, limit: Int, extraNotes: [String] = []) -> [UInt8] {
    var header = report.headline + "\n"
    for note in report.notes + extraNotes {
      header += "note: \(note.sanitizedForDisplay(maxLength: 600))\n"
    }
    let head = Array(header.utf8)
    let lines = report.tail.keptLines
    let total = lines.reduce(0) { $0 + $1.count }
    let budget = max(0, limit - head.count - 120)
    // Whole lines from the end while they fit.
    var kept = 0
    var start = lines.endIndex
    while start > lines.startIndex, kept + lines[start - 1].count <= budget {
      kept += lines[start - 1].count
      start -= 1
    }
    var body = head
    let omittedLines = report.lineCount - (lines.endIndex - start)
    if omittedLines > 0 {
      body += Array(
        "[notify-unit: log cut to its last \(lines.endIndex - start) of \(report.lineCount) lines (\(kept) of \(max(report.exactLogBytes, total)) bytes)]\n"
          .utf8)
    }
    if start == lines.endIndex, let last = lines.last, budget > 0 {
      // Not even the last line fits: keep its end, from a character boundary.
      var cut = last.count - budget
      while cut < last.count, last[cut] & 0xC0 == 0x80 { cut += 1 }
      body += Array("[… cut] ".utf8) + last[cut...]
    } else {
      for line in lines[start...] { body += line }
    }
    if body.count > limit {
      // Only a pathological header (huge notes) gets here: cut it.
      var end = limit
      while end > 0, body[end] & 0xC0 == 0x80 { end -= 1 }
      body = Array(body[..<end])
    }
    return body
  }
}
