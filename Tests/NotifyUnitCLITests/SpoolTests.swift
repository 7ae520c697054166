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
    #expect(mails.first?.bodyLog.hasSuffix("restic[4242]: the very last line\n") == true)
  }

  @Test func aNewerStatePingGoesOutAndTheOlderOneFollowsAsALogWithItsRid() throws {
    let server = try HealthchecksServer(checks: [check])
    let run = try HostileRun(hugeLine: false)
    defer { run.cleanUp() }
    let state = run.dir.appendingPathComponent("state")
    // The failure's ping, and the flush of it by the next run: both 503.
    try server.inject(Array(repeating: ["status": 503], count: 2))
    var env = run.outcomeEnvironment
    env["STATE_DIRECTORY"] = state.path
    let args = ["--journal-file", run.path, "--hc-url", server.baseURL, "--ping-retries", "0"]
    let failed = try notifyUnit(args + ["backup.service", check], environment: env)
    #expect(failed.status == 0 && failed.stderr.contains("ping kept in the spool"))
    env["SERVICE_RESULT"] = "success"
    let ok = try notifyUnit(args + ["backup.service", check], environment: env)
    #expect(ok.status == 0, "\(ok.stderr)")
    // The success went out at once, not queued behind the failure; the
    // failure waits, made state-neutral.
    #expect(try server.requests().map(\.kind) == ["exit", "exit", "success"])
    #expect(spoolEntries(state).count == 1)

    let flush = try notifyUnit(["flush", "--state-directory", state.path])
    #expect(flush.status == 0, "\(flush.stderr)")
    #expect(spoolEntries(state).isEmpty)
    let delivered = try server.requests().dropFirst(3)
    // Never a state change after the newer success: a /log, saying what it was.
    #expect(delivered.map(\.kind) == ["log"])
    #expect(
      delivered.allSatisfy { $0.rid?.replacingOccurrences(of: "-", with: "") == run.invocation })
    let body = delivered.first?.bodyText ?? ""
    #expect(body.hasPrefix("note: delayed, this ping was due at "), "\(body)")
    #expect(body.contains("\nnote: an exit status 3 ping due at "), "\(body)")
    #expect(body.contains("sent as /log: a newer ping of this check superseded it"))
    #expect(!flush.stderr.contains(check))
  }

  @Test func aPingStuckOnAGoneServerHoldsBackNoOtherCheck() throws {
    let other = SecretLedger.newCheck()
    let server = try HealthchecksServer(checks: [check, other])
    let run = try HostileRun(hugeLine: false)
    defer { run.cleanUp() }
    let state = run.dir.appendingPathComponent("state")
    var env = run.outcomeEnvironment
    env["STATE_DIRECTORY"] = state.path
    // A server that is gone: nothing listens on port 9 of the loopback.
    let gone = [
      "--journal-file", run.path, "--hc-url", "http://127.0.0.1:9", "--ping-retries", "0",
    ]
    let stuck = try notifyUnit(gone + ["backup.service", check], environment: env)
    #expect(stuck.status == 0 && spoolEntries(state).count == 1, "\(stuck.stderr)")
    let args = ["--journal-file", run.path, "--hc-url", server.baseURL, "--ping-retries", "0"]
    let next = try notifyUnit(args + ["backup.service", other], environment: env)
    #expect(next.status == 0, "\(next.stderr)")
    // Sent now, though a ping of the same unit still waits for its server;
    // the flush says why that one waits.
    #expect(try server.requests().map(\.kind) == ["exit"])
    #expect(spoolEntries(state).count == 1)
    #expect(next.stderr.contains("a ping report of backup.service due at "))
    #expect(next.stderr.contains("waits: no answer from the server (curl error 7)"))
    #expect(!next.stderr.contains(check) && !next.stderr.contains(other))
  }

  @Test func theNextRunFlushesFirstAndExpiredEntriesAreDroppedAndReported() throws {
    let server = try HealthchecksServer(checks: [check])
    let run = try HostileRun(hugeLine: false)
    defer { run.cleanUp() }
    let state = run.dir.appendingPathComponent("state")
    var env = run.outcomeEnvironment
    env["STATE_DIRECTORY"] = state.path
    let args = ["--journal-file", run.path, "--hc-url", server.baseURL, "--ping-retries", "0"]
    // The first ping, the second run's flush of it, the second ping.
    try server.inject(Array(repeating: ["status": 503], count: 3))
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
    let kinds = try server.requests().map(\.bodyText).dropFirst(3)
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
    #expect(resent.bodyLog.hasSuffix("restic[4242]: the very last line\n"))
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
    #expect(mail.bodyLog.hasSuffix("restic[4242]: the very last line\n"))
    let noCheck = try notifyUnit(["resend", "--ping", "--mail-to", "a@b.org", "backup.service"])
    #expect(noCheck.status == 64)
  }
}
