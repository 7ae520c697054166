/// `notify-unit status` over several state directories: root's
/// /var/lib/notify-unit and the users' below it (the shipped units'
/// `StateDirectory=notify-unit/USER`), so that root sees backup.service's
/// state in /var/lib/notify-unit/restic. The first report is the state
/// directory asked for; one alone prints as before.
public struct StatusOverview: Sendable {
  public var reports: [StatusReport]

  public init(reports: [StatusReport]) { self.reports = reports }

  /// Each directory that holds something, in turn; when none does, one
  /// line naming them all.
  public func text(now: UInt64, renderer: LogRenderer) -> String {
    guard reports.count > 1 else {
      return reports.first?.text(now: now, renderer: renderer) ?? ""
    }
    let shown = reports.filter { !$0.isEmpty }
    guard !shown.isEmpty else {
      let all = reports.map(\.stateDirectory).joined(separator: ", ")
      return "No unit reported yet (state directories \(all)).\nNothing waits in the spool.\n"
    }
    return shown.map { $0.text(now: now, renderer: renderer) }.joined()
  }

  /// One directory: `StatusReport.json`'s object. Several: the same keys,
  /// every unit and spool entry with its `state_directory`, and
  /// `state_directories` listing them.
  public func json(now: UInt64) -> String {
    guard reports.count > 1 else { return reports.first?.json(now: now) ?? "{}\n" }
    var units: [String] = []
    var spool: [String] = []
    for report in reports {
      let extra = [("state_directory", JSON.string(report.stateDirectory))]
      units += report.unitObjects(now: now, extra: extra)
      spool += report.spoolObjects(now: now, extra: extra)
    }
    return JSON.object([
      ("state_directory", JSON.string(reports[0].stateDirectory)),
      (
        "state_directories",
        "[" + reports.map { JSON.string($0.stateDirectory) }.joined(separator: ",") + "]"
      ),
      ("units", "[" + units.joined(separator: ",") + "]"),
      ("spool", "[" + spool.joined(separator: ",") + "]"),
    ]) + "\n"
  }
}
