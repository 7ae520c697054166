import Foundation
import TestSupport
import Testing

/// A flush's deliveries are seen where a report's are: in `status` and in
/// the unit's metrics (else the shipped NotifyUnitReportsWaiting alert
/// fires over an empty spool).
@Suite struct FlushBookkeepingTests {
  @Test func aFlushedMailIsNoLongerWaitingInStatusOrMetrics() throws {
    let run = try HostileRun(hugeLine: false)
    defer { run.cleanUp() }
    let state = run.dir.appendingPathComponent("state").path
    let textfiles = run.dir.appendingPathComponent("textfiles").path
    try FileManager.default.createDirectory(atPath: textfiles, withIntermediateDirectories: false)
    let config = run.dir.appendingPathComponent("notify-unit.conf").path
    try "PROMETHEUS_TEXTFILE_DIRECTORY=\(textfiles)\nMAIL_TO=a@localhost\n".write(
      toFile: config, atomically: true, encoding: .utf8)
    let tempfail = try Command.script(
      at: run.dir.appendingPathComponent("down").path, "cat >/dev/null\nexit 75")
    let up = try Command.script(at: run.dir.appendingPathComponent("up").path, "cat >/dev/null")
    let metrics = textfiles + "/notify-unit_backup_2eservice.prom"
    func sample(_ name: String) -> String? {
      let text = (try? String(contentsOfFile: metrics, encoding: .utf8)) ?? ""
      return text.split(separator: "\n").first {
        $0.hasPrefix(name + "{") && $0.contains("channel=\"mail\"")
      }.map { String($0.split(separator: " ").last ?? "") }
    }
    func mailInStatus() throws -> String {
      let status = try operatorCommand(
        "status", ["--json"], environment: ["STATE_DIRECTORY": state])
      let document = try #require(
        try JSONSerialization.jsonObject(with: status.stdout) as? [String: Any])
      let units = try #require(document["units"] as? [[String: Any]])
      return try #require(units.first?["mail"] as? String)
    }

    let report = try notifyUnit(
      ["--journal-file", run.path, "--sendmail", tempfail, "backup.service"],
      environment: run.outcomeEnvironment.merging(["STATE_DIRECTORY": state]) { $1 },
      config: config)
    #expect(report.stderr.contains("kept in the spool"), "\(report.stderr)")
    #expect(try mailInStatus().hasPrefix("kept in the spool"))
    #expect(sample("notify_unit_spool_entries") == "1")
    #expect(sample("notify_unit_last_delivery_failed") == "1")
    let before = try String(contentsOfFile: metrics, encoding: .utf8)

    let flush = try notifyUnit(
      ["flush", "--state-directory", state, "--sendmail", up], config: config)
    #expect(flush.status == 0, "\(flush.stderr)")
    #expect(try mailInStatus().hasPrefix("sent late, by a flush at "), "\(flush.stderr)")
    #expect(sample("notify_unit_spool_entries") == "0")
    #expect(sample("notify_unit_last_delivery_failed") == "0")
    // The run's own samples are the report's, untouched.
    let after = try String(contentsOfFile: metrics, encoding: .utf8)
    let runLines = { (text: String) in
      text.split(separator: "\n").filter { !$0.contains("channel=") }
    }
    #expect(runLines(after) == runLines(before))
  }
}
