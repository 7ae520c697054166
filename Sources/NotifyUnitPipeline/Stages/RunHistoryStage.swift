import NotifyUnitCore
import NotifyUnitSystem

/// The pipeline's history stage: the unit's earlier runs, the anomaly rules
/// on this run (a success that looks wrong becomes a warning), and this run
/// added to the history once it is reported.
struct RunHistoryStage {
  var store: UnitStateStore?
  var log: (String) -> Void

  /// The unit's earlier runs, oldest first, without the run being reported
  /// (a second report of it, or a resend).
  func earlier(_ unit: String, excluding invocationID: String?) -> [RunHistoryEntry] {
    guard let store else { return [] }
    let (entries, problem) = store.readHistory(unit)
    if let problem { log(Priority.warning.tag("\(problem); the anomaly rules see fewer runs")) }
    guard let invocationID else { return entries }
    return entries.filter { $0.invocationID != invocationID }
  }

  /// Runs the anomaly rules on a successful run: each that fires is in the
  /// report (its first is the warning's reason) and in its notes, with the
  /// rule's name so it can be switched off.
  static func judge(
    _ report: inout Report, earlier: [RunHistoryEntry], thresholds: AnomalyThresholds
  ) {
    let (shown, count) = report.unmatchedIncludes
    let (anomalies, note) = AnomalyRules.evaluate(
      run: entry(of: report), earlier: earlier, unmatched: shown, unmatchedCount: count,
      thresholds: thresholds)
    report.anomalies = anomalies
    for anomaly in anomalies {
      report.notes.append(
        "Anomaly: \(anomaly.reason) (rule \(anomaly.kind.rawValue); ANOMALIES=-\(anomaly.kind.rawValue) switches it off)."
      )
    }
    if let note, report.verdict.isUp { report.notes.append(note) }
  }

  /// The run as its history keeps it.
  static func entry(of report: Report) -> RunHistoryEntry {
    let facts = RunFacts(report: report)
    let end = facts.finished ?? report.createdAt
    return RunHistoryEntry(
      time: end, verdict: report.verdict,
      result: report.verdict == .interrupted ? "interrupted" : report.outcome.resultWord,
      invocationID: report.invocationID, duration: facts.durationSeconds,
      lines: report.lineCount,
      restic: report.resticSummary ?? (report.job == .restic ? .init() : nil),
      diff: report.resticDiff, anomalies: report.anomalies.map(\.kind),
      reason: report.reason)
  }

  /// Adds the reported run to the unit's history.
  func record(_ report: Report) {
    guard let store else { return }
    do {
      try store.appendHistory(report.unit, Self.entry(of: report))
    } catch {
      log(Priority.warning.tag("\(error): this run is not in the unit's history"))
    }
  }
}
