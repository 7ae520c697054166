import Foundation
import TestSupport
import Testing

/// Numbers others control (any local user's journal fields, a server's
/// headers) are bounded: never Swift's overflow trap (exit 132), which
/// left the state unwritten and the later channels never run.
@Suite struct HugeNumberTests {
  @Test func twoHugeDroppedCountsInTheJournalDoNotTrap() throws {
    let dir = try Paths.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let id = JournalFixture.newInvocation()
    let t = JournalFixture.baseTime
    var entries = [JournalFixture.serviceLine(Array("first".utf8), invocation: id, at: t + 10)]
    for (i, count) in ["9223372036854775807", "9223372036854775807", "-5"].enumerated() {
      var drop = JournalFixture.managerLine(
        "Suppressed \(count) messages from backup.service", invocation: id,
        at: t + 20 + UInt64(i), field: "OBJECT_SYSTEMD_INVOCATION_ID")
      drop.fields.append(("MESSAGE_ID", Array("a596d6fe7bfa4994828e72309e95d61e".utf8)))
      drop.fields.append(("N_DROPPED", Array(count.utf8)))
      entries.append(drop)
    }
    entries.append(JournalFixture.serviceLine(Array("last".utf8), invocation: id, at: t + 30))
    let journal = try JournalFixture.write(entries, in: dir)
    let result = try notifyUnit(
      ["--journal-file", journal, "--dry-run", "--mail-to", "a@localhost", "backup.service"],
      environment: ["SERVICE_RESULT": "success", "INVOCATION_ID": id])
    #expect(result.status == 0, "\(result.stderr)")
    // Counted at the bound; the negative one is no count.
    #expect(
      result.stderr.contains("journald dropped \(Int.max) line(s) of this run"), "\(result.stderr)")
  }

  @Test func aRetryAfterDateBeyondAnyCalendarIsIgnored() throws {
    let check = SecretLedger.newCheck()
    let server = try HealthchecksServer(checks: [check])
    let run = try HostileRun(hugeLine: false)
    defer { run.cleanUp() }
    try server.inject([
      ["status": 429, "retry_after": "Sun, 06 Nov 9999999999999 08:49:37 GMT"]
    ])
    let result = try notifyUnit(
      ["--journal-file", run.path, "--hc-url", server.baseURL, "backup.service", check],
      environment: run.outcomeEnvironment)
    #expect(result.status == 0, "\(result.stderr)")
    // Retried with the usual back-off, and delivered.
    #expect(try server.requests().last?.kind == "exit", "\(result.stderr)")
    #expect(result.stderr.contains("delivered on try 2"), "\(result.stderr)")
  }
}
