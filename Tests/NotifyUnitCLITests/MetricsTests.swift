import Foundation
import TestSupport
import Testing

/// The textfile-collector metrics: what notify-unit writes, as Debian's
/// promtool and a real prometheus-node-exporter read it, and the shipped
/// alerting rules under promtool's own rule tests.
@Suite struct MetricsTests {
  func report(
    _ run: HostileRun, metrics: URL, state: URL, environment: [String: String]
  ) throws -> CommandResult {
    let config = run.dir.appendingPathComponent("metrics.conf")
    try "PROMETHEUS_TEXTFILE_DIRECTORY=\(metrics.path)\n".write(
      to: config, atomically: true, encoding: .utf8)
    return try notifyUnit(
      ["--journal-file", run.path, "--state-directory", state.path, "backup.service"],
      environment: run.outcomeEnvironment.merging(environment) { $1 }, config: config.path)
  }

  /// The sample `name{labels}`'s value in `text`.
  func value(_ text: String, _ sample: String) -> Double? {
    for line in text.split(separator: "\n") where line.hasPrefix(sample + " ") {
      return Double(line.dropFirst(sample.count + 1))
    }
    return nil
  }

  /// Metrics the only channel, and the file cannot be written: an error
  /// (a stale file misleads the alerts) and 75, not a quiet 0.
  @Test func aMetricsFileThatCannotBeWrittenIsAFailedDelivery() throws {
    let run = try HostileRun(hugeLine: false)
    defer { run.cleanUp() }
    let missing = run.dir.appendingPathComponent("no-textfile-directory")
    let result = try report(
      run, metrics: missing, state: run.dir.appendingPathComponent("state"), environment: [:])
    #expect(result.status == 75, "\(result.stderr)")
    #expect(
      result.stderr.split(separator: "\n").contains {
        $0.hasPrefix("<3>notify-unit: ") && $0.contains("the unit's metrics are not updated")
      }, "\(result.stderr)")
  }

  /// A skipped run (ExecCondition=) after a failure did not run: the
  /// failure stays the outcome (its alert must not resolve), with the skip's
  /// time beside it; a unit only ever skipped tells no success or failure.
  @Test func aSkippedRunKeepsTheLastOutcome() throws {
    let run = try HostileRun(hugeLine: false)
    defer { run.cleanUp() }
    let metrics = run.dir.appendingPathComponent("textfile")
    let state = run.dir.appendingPathComponent("state")
    try FileManager.default.createDirectory(at: metrics, withIntermediateDirectories: true)
    let file = metrics.appendingPathComponent("notify-unit_backup_2eservice.prom").path
    let u = "{unit=\"backup.service\"}"
    let skip = ["SERVICE_RESULT": "exec-condition", "EXIT_CODE": "exited", "EXIT_STATUS": "1"]
    let only = try report(run, metrics: metrics, state: state, environment: skip)
    #expect(only.status == 0, "\(only.stderr)")
    let skippedOnly = try String(contentsOfFile: file, encoding: .utf8)
    #expect(value(skippedOnly, "notify_unit_last_run_success" + u) == nil, "\(skippedOnly)")
    #expect(value(skippedOnly, "notify_unit_last_skipped_timestamp_seconds" + u) != nil)

    _ = try report(run, metrics: metrics, state: state, environment: [:])
    let failed = try String(contentsOfFile: file, encoding: .utf8)
    let failedAt = value(failed, "notify_unit_last_run_timestamp_seconds" + u)
    _ = try report(run, metrics: metrics, state: state, environment: skip)
    let after = try String(contentsOfFile: file, encoding: .utf8)
    #expect(value(after, "notify_unit_last_run_success" + u) == 0, "\(after)")
    #expect(
      value(after, "notify_unit_last_run_outcome{unit=\"backup.service\",outcome=\"failure\"}") == 1
    )
    #expect(
      value(after, "notify_unit_last_run_outcome{unit=\"backup.service\",outcome=\"skipped\"}") == 0
    )
    #expect(value(after, "notify_unit_last_run_timestamp_seconds" + u) == failedAt)
    #expect(value(after, "notify_unit_last_skipped_timestamp_seconds" + u) != nil)
    #expect(value(after, "notify_unit_consecutive_failures" + u) == 1)
  }

  @Test func aFailureThenASuccessKeepEachOthersTimeAndPromtoolAcceptsThem() throws {
    let run = try HostileRun(hugeLine: false)
    defer { run.cleanUp() }
    let metrics = run.dir.appendingPathComponent("textfile")
    let state = run.dir.appendingPathComponent("state")
    try FileManager.default.createDirectory(at: metrics, withIntermediateDirectories: true)
    let file = metrics.appendingPathComponent("notify-unit_backup_2eservice.prom").path
    let u = "{unit=\"backup.service\"}"

    let failed = try report(run, metrics: metrics, state: state, environment: [:])
    #expect(failed.status == 0, "\(failed.stderr)")
    let first = try String(contentsOfFile: file, encoding: .utf8)
    #expect(value(first, "notify_unit_last_run_success" + u) == 0)
    #expect(
      value(first, "notify_unit_last_run_outcome{unit=\"backup.service\",outcome=\"failure\"}") == 1
    )
    let failedAt = try #require(value(first, "notify_unit_last_failure_timestamp_seconds" + u))
    #expect(value(first, "notify_unit_last_success_timestamp_seconds" + u) == nil)
    // The run's end: its last log line (journal files carry no unit status).
    #expect(abs(failedAt - Double(JournalFixture.baseTime) / 1e6) < 3600)

    let succeeded = try report(
      run, metrics: metrics, state: state,
      environment: ["SERVICE_RESULT": "success", "EXIT_STATUS": "0"])
    #expect(succeeded.status == 0, "\(succeeded.stderr)")
    let second = try String(contentsOfFile: file, encoding: .utf8)
    #expect(value(second, "notify_unit_last_run_success" + u) == 1)
    #expect(value(second, "notify_unit_last_failure_timestamp_seconds" + u) == failedAt)
    #expect(value(second, "notify_unit_last_success_timestamp_seconds" + u) != nil)
    // Written by rename: no temporary file left for node_exporter to see.
    #expect(try FileManager.default.contentsOfDirectory(atPath: metrics.path).count == 1)
    let lint = try Command.run(
      "/bin/sh", ["-c", "promtool check metrics < \"$0\"", file])
    #expect(lint.status == 0, "\(lint.stdoutText) \(lint.stderr)")
  }

  @Test func nodeExportersMetricsShowWhatWasWritten() throws {
    let run = try HostileRun(hugeLine: false)
    defer { run.cleanUp() }
    let metrics = run.dir.appendingPathComponent("textfile")
    try FileManager.default.createDirectory(at: metrics, withIntermediateDirectories: true)
    let result = try report(
      run, metrics: metrics, state: run.dir.appendingPathComponent("state"), environment: [:])
    #expect(result.status == 0, "\(result.stderr)")
    // A free port, then Debian's node exporter on it, reading the directory.
    let port = try Command.run(
      Paths.python,
      [
        "-c",
        "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])",
      ]
    ).stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
    let exporter = Process()
    exporter.executableURL = URL(fileURLWithPath: "/usr/bin/prometheus-node-exporter")
    exporter.arguments = [
      "--web.listen-address=127.0.0.1:\(port)", "--collector.disable-defaults",
      "--collector.textfile", "--collector.textfile.directory=\(metrics.path)",
    ]
    exporter.standardOutput = FileHandle.nullDevice
    exporter.standardError = FileHandle.nullDevice
    try exporter.runAlone()
    defer {
      exporter.terminate()
      exporter.waitUntilExit()
    }
    // Until it answers (it starts in well under a second; a minute at most).
    var page = ""
    for _ in 0..<600 where !page.contains("notify_unit_") {
      let fetched = try Command.run(
        Paths.python,
        [
          "-c",
          "import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())",
          "http://127.0.0.1:\(port)/metrics",
        ])
      page = fetched.stdoutText
      if !page.contains("notify_unit_") { usleep(100_000) }
    }
    #expect(value(page, "notify_unit_last_run_success{unit=\"backup.service\"}") == 0)
    #expect(
      value(page, "notify_unit_last_run_outcome{outcome=\"failure\",unit=\"backup.service\"}") == 1)
    #expect(value(page, "node_textfile_scrape_error") == 0)
  }

  @Test func theShippedAlertingRulesPassTheirTests() throws {
    let dir = Paths.packageRoot.appendingPathComponent("contrib/prometheus").path
    let check = try Command.run(
      "/usr/bin/promtool", ["check", "rules", dir + "/notify-unit.rules.yml"])
    #expect(check.status == 0, "\(check.stdoutText) \(check.stderr)")
    let test = try Command.run(
      "/usr/bin/promtool", ["test", "rules", dir + "/notify-unit.test.yml"])
    #expect(test.status == 0, "\(test.stdoutText) \(test.stderr)")
    #expect(test.stdoutText.contains("SUCCESS"))
  }
}
