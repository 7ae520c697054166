import Foundation
import TestSupport
import Testing

/// Nothing lost: what could not be delivered waits in the spool, and the
/// next run (or `notify-unit flush`) delivers it once the peer is back.
@Suite struct SpoolTests {
  let check = SecretLedger.newCheck()

  func spoolEntries(_ state: URL) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: state.path + "/spool")) ?? [])
      .filter { !$0.hasSuffix(".reason") }.sorted()
  }

  @Test func aMailTheRelayRefusedForNowIsDeliveredByTheNextFlush() throws {
    let run = try HostileRun(hugeLine: false)
    defer { run.cleanUp() }
    let state = run.dir.appendingPathComponent("state")
    let tempfail = run.dir.appendingPathComponent("sendmail").path
    try Command.script(at: tempfail, "cat >/dev/null\nexit 75")
    let unit = "spool-\(UUID().uuidString.prefix(8).lowercased()).service"
    let first = try notifyUnit(
      ["--journal-file", run.path, "--mail-to", "mail@localhost", "--sendmail", tempfail, unit],
      environment: run.outcomeEnvironment.merging(["STATE_DIRECTORY": state.path]) { $1 })
    // EX_TEMPFAIL: kept, and the unit is not failed for it.
    #expect(first.status == 0, "\(first.stderr)")
    #expect(first.stderr.contains("kept in the spool"))
    let entries = spoolEntries(state)
    #expect(entries.count == 1 && entries.first?.contains("-mail-") == true)
    #expect(!entries.joined().contains(check))
    let reason = try String(
      contentsOfFile: state.path + "/spool/" + entries[0] + ".reason", encoding: .utf8)
    #expect(reason.contains("sendmail exited with status 75"))

    // The relay is back: the flush hands the same mail to the real MTA.
    let flush = try notifyUnit(
      ["flush", "--state-directory", state.path], environment: ["PATH": "/usr/bin:/bin"])
    #expect(flush.status == 0, "\(flush.stderr)")
    #expect(spoolEntries(state).isEmpty)
    let mails = try DeliveryTests().delivered(unit: unit)
    #expect(mails.count == 1)
    #expect(mails.first?.headers["X-Notify-Unit-Delayed"]?.hasPrefix("spooled, due at ") == true)
    #expect(mails.first?.body.hasSuffix("restic[4242]: the very last line\n") == true)
  }

  @Test func pingsThatFailedAllTheirTriesAreSentLaterInOrderWithTheirRid() throws {
    let server = try HealthchecksServer(checks: [check])
    let run = try HostileRun(hugeLine: false)
    defer { run.cleanUp() }
    let state = run.dir.appendingPathComponent("state")
    try server.inject(Array(repeating: ["status": 503], count: 2))
    var env = run.outcomeEnvironment
    env["STATE_DIRECTORY"] = state.path
    let args = ["--journal-file", run.path, "--hc-url", server.baseURL, "--ping-retries", "0"]
    let failed = try notifyUnit(args + ["backup.service", check], environment: env)
    env["SERVICE_RESULT"] = "success"
    let ok = try notifyUnit(args + ["backup.service", check], environment: env)
    #expect(failed.status == 0 && ok.status == 0)
    #expect(spoolEntries(state).count == 2)
    #expect(try server.requests().count == 2)

    let flush = try notifyUnit(["flush", "--state-directory", state.path])
    #expect(flush.status == 0, "\(flush.stderr)")
    #expect(spoolEntries(state).isEmpty)
    let delivered = try server.requests().dropFirst(2)
    #expect(delivered.map(\.kind) == ["exit", "success"])
    #expect(
      delivered.allSatisfy { $0.rid?.replacingOccurrences(of: "-", with: "") == run.invocation })
    #expect(delivered.allSatisfy { $0.bodyText.hasPrefix("note: delayed, this ping was due at ") })
    #expect(!flush.stderr.contains(check))
  }

  @Test func theNextRunFlushesFirstAndExpiredEntriesAreDroppedAndReported() throws {
    let server = try HealthchecksServer(checks: [check])
    let run = try HostileRun(hugeLine: false)
    defer { run.cleanUp() }
    let state = run.dir.appendingPathComponent("state")
    var env = run.outcomeEnvironment
    env["STATE_DIRECTORY"] = state.path
    let args = ["--journal-file", run.path, "--hc-url", server.baseURL, "--ping-retries", "0"]
    try server.inject([["status": 503], ["status": 503]])
    _ = try notifyUnit(args + ["backup.service", check], environment: env)
    _ = try notifyUnit(args + ["backup.service", check], environment: env)
    var entries = spoolEntries(state)
    #expect(entries.count == 2)
    // Make the older entry two weeks old.
    let old = String(UInt64(Date().addingTimeInterval(-14 * 86400).timeIntervalSince1970 * 1e6))
    let aged = String(repeating: "0", count: 20 - old.count) + old + entries[0].dropFirst(20)
    try FileManager.default.moveItem(
      atPath: state.path + "/spool/" + entries[0], toPath: state.path + "/spool/" + aged)
    entries = spoolEntries(state)

    // The next run delivers the spool first, then its own report.
    let next = try notifyUnit(args + ["backup.service", check], environment: env)
    #expect(next.status == 0, "\(next.stderr)")
    #expect(next.stderr.contains("was dropped (SPOOL_MAX_AGE)"))
    #expect(spoolEntries(state).isEmpty)
    let kinds = try server.requests().map(\.bodyText).dropFirst(2)
    #expect(kinds.count == 2)
    #expect(kinds.first?.hasPrefix("note: delayed") == true)
    #expect(kinds.last?.contains("note: A ping report of backup.service due at") == true)
  }
}

/// `notify-unit resend`.
@Suite struct ResendTests {
  @Test func theStoredReportIsSentAgainMarkedAsAResend() throws {
    let run = try HostileRun(hugeLine: false)
    defer { run.cleanUp() }
    let state = run.dir.appendingPathComponent("state").path
    let unit = "resend-\(UUID().uuidString.prefix(8).lowercased()).service"
    let first = try notifyUnit(
      [
        "--journal-file", run.path, "--mail-to", "mail@localhost", "--state-directory", state, unit,
      ],
      environment: run.outcomeEnvironment)
    #expect(first.status == 0, "\(first.stderr)")
    #expect(try DeliveryTests().delivered(unit: unit).count == 1)
    let again = try notifyUnit([
      "resend", "--mail-to", "mail@localhost", "--state-directory", state, unit,
    ])
    #expect(again.status == 0, "\(again.stderr)")
    var mails: [ParsedMessage] = []
    for _ in 0..<50 where mails.count < 2 {
      mails = try DeliveryTests().delivered(unit: unit)
      usleep(100_000)
    }
    #expect(mails.count == 2)
    let resent = try #require(mails.first { $0.headers["Resent-Date"] != nil })
    #expect(resent.headers["Resent-Message-ID"]?.contains(".resent.notify-unit@") == true)
    #expect(resent.headers["Resent-To"] == "mail@localhost")
    #expect(
      resent.headers["Message-ID"]
        == mails.first { $0.headers["Resent-Date"] == nil }?.headers["Message-ID"])
    #expect(resent.body.hasSuffix("restic[4242]: the very last line\n"))
  }

  @Test func withoutAStoredReportItIsRebuiltFromTheJournal() throws {
    let run = try HostileRun(hugeLine: false)
    defer { run.cleanUp() }
    let result = try notifyUnit(
      [
        "resend", "--dry-run", "--journal-file", run.path, "--invocation-id", run.invocation,
        "--mail-to", "a@b.org", "backup.service",
      ])
    #expect(result.status == 0, "\(result.stderr)")
    let mail = try ParsedMessage.parse(result.stdout)
    #expect(mail.body.contains("This report was made again from the journal (notify-unit resend)."))
    #expect(mail.body.contains("Invocation:    \(run.invocation)"))
    #expect(mail.body.hasSuffix("restic[4242]: the very last line\n"))
    let noCheck = try notifyUnit(["resend", "--ping", "--mail-to", "a@b.org", "backup.service"])
    #expect(noCheck.status == 64)
  }
}
