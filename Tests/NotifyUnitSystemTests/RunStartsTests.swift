import Foundation
import NotifyUnitCore
import NotifyUnitSystem
import TestSupport
import Testing

/// Recorded starts: a run the machine stopped under is one whose start was
/// recorded in another boot and never reported; nothing else is.
@Suite struct RunStartsTests {
  let bootA = "0123456789abcdef0123456789abcdef"
  let bootB = "fedcba9876543210fedcba9876543210"

  func start(_ unit: String, _ invocation: String, boot: String, time: UInt64 = 1)
    -> RunStarts.Start
  {
    RunStarts.Start(
      unit: unit, invocationID: invocation, time: time, bootID: boot,
      pingURL: "http://127.0.0.1:1/ping/2c6f7a62-5d7e-4f4b-9a36-0d8a8e3f0b11")
  }

  @Test func aStartFromAnotherBootIsInterruptedOnceClaimed() throws {
    let dir = try Paths.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let starts = RunStarts(directory: dir.path)
    let cut = start("backup.service", String(repeating: "a", count: 32), boot: bootA, time: 5)
    try starts.record(cut)
    // In the boot it started in, the run is still going: not interrupted.
    #expect(starts.interrupted(currentBootID: bootA).isEmpty)
    // The next boot finds it, with everything the report needs.
    #expect(starts.interrupted(currentBootID: bootB) == [cut])
    // Reported once: whoever claims it first.
    #expect(starts.claim(cut))
    #expect(!starts.claim(cut))
    #expect(starts.interrupted(currentBootID: bootB).isEmpty)
    // Nothing is left behind.
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
  }

  @Test func aReportedRunIsForgottenButAnEarlierBootsStays() throws {
    let dir = try Paths.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let starts = RunStarts(directory: dir.path)
    let earlier = start("backup.service", String(repeating: "1", count: 32), boot: bootA)
    let now = start("backup.service", String(repeating: "2", count: 32), boot: bootB)
    let other = start("prune.service", String(repeating: "3", count: 32), boot: bootB)
    for s in [earlier, now, other] { try starts.record(s) }
    let file = dir.path + "/backup_2eservice@" + now.invocationID + ".started"
    let mode = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int
    #expect(mode == 0o600)
    // backup.service's report in boot B: its run ended.
    starts.finished(unit: "backup.service", bootID: bootB)
    #expect(starts.interrupted(currentBootID: bootB) == [earlier])
    #expect(starts.interrupted(currentBootID: "c" + bootB.dropFirst()).count == 2)
  }

  @Test func theBootIDIsTheKernels() throws {
    let id = try #require(RunStarts.currentBootID())
    #expect(id.count == 32)
    #expect(RunStarts.currentBootID() == id)
    let dir = try Paths.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let odd = dir.path + "/boot_id"
    try "not-a-boot-id\n".write(toFile: odd, atomically: true, encoding: .utf8)
    #expect(RunStarts.currentBootID(path: odd, environment: [:]) == nil)
    try "6f1d3a52-8c4e-4b7a-9f0e-2d5c8b1a7e39\n".write(
      toFile: odd, atomically: true, encoding: .utf8)
    #expect(RunStarts.currentBootID(path: odd) == "6f1d3a528c4e4b7a9f0e2d5c8b1a7e39")
  }

  /// ProcSubset=pid hides the kernel's file: the boot is the journal's
  /// for the process's invocation, from PID 1's lines or the service's.
  @Test func underProcSubsetPIDTheBootIDIsTheJournals() throws {
    let dir = try Paths.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let invocation = JournalFixture.newInvocation()
    func booted(_ entry: JournalFixture.Entry, _ boot: String) -> JournalFixture.Entry {
      JournalFixture.Entry(entry.fields + [("_BOOT_ID", Array(boot.utf8))])
    }
    let t = JournalFixture.baseTime
    // A process other than PID 1 naming the invocation is not systemd.
    var forged = JournalFixture.managerLine("Starting", invocation: invocation, at: t)
    forged.fields = forged.fields.map { $0.0 == "_PID" ? ("_PID", Array("4242".utf8)) : $0 }
    let file = try JournalFixture.write(
      [
        booted(forged, bootA),
        booted(JournalFixture.managerLine("Starting", invocation: invocation, at: t + 1), bootB),
      ], in: dir)
    let hidden = dir.path + "/no-boot_id"
    let env = ["INVOCATION_ID": invocation]
    #expect(
      RunStarts.currentBootID(path: hidden, environment: env, journal: .files([file])) == bootB)
    // The service's own line (_SYSTEMD_INVOCATION_ID, journald's field).
    let other = JournalFixture.newInvocation()
    let line = try JournalFixture.write(
      [booted(JournalFixture.serviceLine(Array("x".utf8), invocation: other, at: t), bootA)],
      in: dir, name: "service")
    #expect(JournalBootID.of(invocation: other, source: .files([line]), wait: 0) == bootA)
    // No entry of the invocation: no boot ID, after the wait.
    #expect(
      JournalBootID.of(invocation: JournalFixture.newInvocation(), source: .files([file]), wait: 0)
        == nil)
    #expect(RunStarts.currentBootID(path: hidden, environment: [:], journal: .files([file])) == nil)
  }
}
