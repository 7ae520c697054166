/// What `notify-unit status --history UNIT` shows: the unit's runs as its
/// history keeps them, newest first, as text or as JSON. Pure: the entries
/// come in read already.
public struct RunHistoryReport: Sendable {
  public var unit: String
  public var stateDirectory: String
  /// Oldest first, as the file keeps them.
  public var entries: [RunHistoryEntry]

  public init(unit: String, stateDirectory: String, entries: [RunHistoryEntry]) {
    self.unit = unit
    self.stateDirectory = stateDirectory
    self.entries = entries
  }

  /// One line a run: when, the verdict, how long, how many lines, what
  /// restic did, and the reason.
  public func text(renderer: LogRenderer) -> String {
    let name = unit.sanitizedForDisplay(maxLength: 100)
    guard !entries.isEmpty else {
      return "No run of \(name) in its history yet (state directory \(stateDirectory)).\n"
    }
    var lines = [
      "\(name): the last \(entries.count == 1 ? "run" : "\(entries.count) runs"), newest first (state directory \(stateDirectory)):"
    ]
    for e in entries.reversed() {
      let when = String(renderer.timestamp(e.time).prefix(19)).replacingAll("T", with: " ")
      var parts = [e.verdict.rawValue]
      if e.verdict == .failure { parts[0] += " (\(e.result.sanitizedForDisplay(maxLength: 40)))" }
      if let d = e.duration { parts.append(formatDuration(d)) }
      parts.append(e.lines == 1 ? "1 line" : "\(e.lines) lines")
      if let r = e.restic, r.snapshotID != nil || r.processedFiles != nil {
        var restic = r.snapshotID.map { "snapshot \($0.sanitizedForDisplay(maxLength: 16))" } ?? ""
        if let n = r.filesNew, let c = r.filesChanged { restic += ", files \(n) new \(c) changed" }
        if let added = r.added { restic += ", +\(added)" }
        parts.append(restic.hasPrefix(", ") ? String(restic.dropFirst(2)) : restic)
      }
      if let d = e.diff { parts.append("diff +\(d.added) -\(d.removed) ~\(d.changed)") }
      var line = "  \(when)  " + parts.joined(separator: ", ")
      if let reason = e.reason { line += ": " + reason.sanitizedForDisplay(maxLength: 160) }
      if !e.anomalies.isEmpty {
        line += " [" + e.anomalies.map(\.rawValue).joined(separator: ", ") + "]"
      }
      lines.append(line)
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// `{"unit", "state_directory", "runs": [...]}`, newest first, times as
  /// RFC 3339 in UTC, sizes in bytes.
  public func json() -> String {
    let utc = LogRenderer(zone: .utc)
    func number(_ n: Int?) -> String { n.map { String($0) } ?? "null" }
    func bytes(_ n: UInt64?) -> String { n.map { String($0) } ?? "null" }
    let runs = entries.reversed().map { e -> String in
      var members: [(String, String)] = [
        ("time", JSON.string(String(utc.timestamp(e.time).prefix(19)) + "Z")),
        ("verdict", JSON.string(e.verdict.rawValue)),
        ("result", JSON.string(e.result.sanitizedForDisplay(maxLength: 64))),
        ("invocation_id", JSON.optional(e.invocationID?.sanitizedForDisplay(maxLength: 64))),
        ("duration_seconds", e.duration.map(JSON.number) ?? "null"),
        ("lines", String(e.lines)),
        ("reason", JSON.optional(e.reason?.sanitizedForDisplay(maxLength: 160))),
        ("anomalies", JSON.array(e.anomalies.map { JSON.string($0.rawValue) })),
      ]
      if let r = e.restic {
        members.append(
          (
            "restic",
            JSON.object([
              ("snapshot", JSON.optional(r.snapshotID?.sanitizedForDisplay(maxLength: 16))),
              ("files_new", number(r.filesNew)), ("files_changed", number(r.filesChanged)),
              ("files_unmodified", number(r.filesUnmodified)),
              ("files_processed", number(r.processedFiles)),
              ("bytes_processed", bytes(r.processedBytes)), ("bytes_added", bytes(r.addedBytes)),
              ("bytes_stored", bytes(r.storedBytes)),
            ])
          ))
      }
      if let d = e.diff {
        members.append(
          (
            "diff",
            JSON.object([
              ("added", String(d.added)), ("removed", String(d.removed)),
              ("changed", String(d.changed)),
            ])
          ))
      }
      return JSON.object(members)
    }
    return JSON.object([
      ("unit", JSON.string(unit)), ("state_directory", JSON.string(stateDirectory)),
      ("runs", JSON.array(runs)),
    ]) + "\n"
  }
}
