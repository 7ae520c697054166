import Foundation
import TestSupport
import Testing

/// What a Healthchecks server stores of a report: only the first
/// Ping-Body-Limit bytes of a body. From the first report on, what it
/// stores last for a run ends with the log's last line.
@Suite struct PingBodyLimitTests {
  let check = SecretLedger.newCheck()

  func stateDirectory() -> String {
    FileManager.default.temporaryDirectory
      .appendingPathComponent("notify-unit-state-\(UUID().uuidString)").path
  }

  func report(_ run: HostileRun, _ server: HealthchecksServer, state: String) throws
    -> CommandResult
  {
    var env = run.outcomeEnvironment
    env["STATE_DIRECTORY"] = state
    return try notifyUnit(
      ["--journal-file", run.path, "--hc-url", server.baseURL + "/ping", "backup.service", check],
      environment: env)
  }

  func lines(_ text: String) -> [Substring] {
    text.split(separator: "\n", omittingEmptySubsequences: true)
  }

  @Test func aFailedRunOf50000LinesEndsWithItsLastLineOnA10000ByteServer() throws {
    let server = try HealthchecksServer(checks: [check], pingBodyLimit: 10_000)
    let run = try HostileRun(extraLines: 50_000, hugeLine: false)
    defer { run.cleanUp() }
    let state = stateDirectory()

    // The first report to this server: its limit is not known yet.
    let first = try report(run, server, state: state)
    #expect(first.status == 0, "\(first.stderr)")
    var pings = try server.requests()
    #expect(pings.map(\.kind) == ["exit", "log"], "\(first.stderr)")
    let cut = try #require(pings.first)
    #expect(cut.bodyLength > 10_000 && cut.storedLength == 10_000)
    // What it stored of the exit ping says that the tail follows.
    #expect(cut.storedText.contains("this server's ping body limit is not known yet"))
    let tail = try #require(pings.last)
    #expect(tail.rid == cut.rid && tail.bodyLength <= 10_000)
    #expect(tail.storedText == tail.bodyText)
    #expect(tail.storedText.hasPrefix("⛔ backup.service: "))
    #expect(tail.storedText.hasSuffix("restic[4242]: the very last line\n"))
    #expect(tail.storedText.contains("kept only the first 10000 of the \(cut.bodyLength) bytes"))
    #expect(tail.storedText.contains("log cut to its last"))
    let firstLines = lines(tail.storedText)
    print("first report, stored last: first line: \(firstLines.first ?? "")")
    print("first report, stored last: last line: \(firstLines.last ?? "")")
    let limits = try String(contentsOfFile: state + "/ping-body-limits", encoding: .utf8)
    #expect(limits.contains("http://127.0.0.1:\(server.port) 10000"))
    #expect(!limits.contains(check))

    // Later reports are cut for it before they are sent: one ping, whole.
    try server.reset()
    let second = try report(run, server, state: state)
    #expect(second.status == 0, "\(second.stderr)")
    pings = try server.requests()
    #expect(pings.map(\.kind) == ["exit"])
    let whole = try #require(pings.first)
    #expect(whole.bodyLength <= 10_000 && whole.storedText == whole.bodyText)
    #expect(whole.storedText.hasSuffix("restic[4242]: the very last line\n"))
    #expect(!whole.storedText.contains("not known yet"))
    let secondLines = lines(whole.storedText)
    print("later report, stored: first line: \(secondLines.first ?? "")")
    print("later report, stored: last line: \(secondLines.last ?? "")")

    // The admin lowers the limit: re-learned from the reply, followed up.
    try server.reset()
    try server.setPingBodyLimit(4_000)
    let third = try report(run, server, state: state)
    #expect(third.status == 0, "\(third.stderr)")
    pings = try server.requests()
    #expect(pings.map(\.kind) == ["exit", "log"])
    #expect(pings.last?.storedText.hasSuffix("restic[4242]: the very last line\n") == true)
    #expect(pings.last.map { $0.bodyLength <= 4_000 } == true)
    let relearned = try String(contentsOfFile: state + "/ping-body-limits", encoding: .utf8)
    #expect(relearned.contains("http://127.0.0.1:\(server.port) 4000"))
    #expect(!(first.stderr + second.stderr + third.stderr).contains(check))
  }

  /// `notify-unit start`'s reply teaches the limit before the finish ping.
  @Test func theStartSignalTeachesTheLimit() throws {
    let server = try HealthchecksServer(checks: [check], pingBodyLimit: 3_000)
    let run = try HostileRun(extraLines: 2_000, hugeLine: false)
    defer { run.cleanUp() }
    let state = stateDirectory()
    let start = try notifyUnit(
      ["start", "--hc-url", server.baseURL, "backup.service", check],
      environment: ["INVOCATION_ID": run.invocation, "STATE_DIRECTORY": state])
    #expect(start.status == 0, "\(start.stderr)")
    var env = run.outcomeEnvironment
    env["STATE_DIRECTORY"] = state
    let finish = try notifyUnit(
      ["--journal-file", run.path, "--hc-url", server.baseURL, "backup.service", check],
      environment: env)
    #expect(finish.status == 0, "\(finish.stderr)")
    let pings = try server.requests()
    #expect(pings.map(\.kind) == ["start", "exit"])
    let ping = try #require(pings.last)
    #expect(ping.bodyLength <= 3_000 && ping.storedText == ping.bodyText)
    #expect(ping.storedText.hasSuffix("restic[4242]: the very last line\n"))
  }
}
