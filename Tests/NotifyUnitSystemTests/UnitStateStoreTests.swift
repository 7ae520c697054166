import Foundation
import NotifyUnitCore
import NotifyUnitSystem
import TestSupport
import Testing

@Suite struct UnitStateStoreTests {
  let record = UnitStateStore.Record(
    success: false, result: "exit-code", invocationID: "0123456789abcdef0123456789abcdef", time: 42)

  @Test func keepsTheLastOutcomeOfEachUnit() throws {
    let dir = try Paths.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let store = try UnitStateStore(directory: dir.path + "/nested/state")
    #expect(store.read("backup.service").record == nil)
    try store.write("backup.service", record)
    #expect(store.read("backup.service").record == record)
    var next = record
    next.success = true
    try store.write("backup.service", next)
    #expect(store.read("backup.service").record == next)
    #expect(store.read("prune.service").record == nil)
    // The unit name cannot leave the directory.
    try store.write("../../evil.service", record)
    #expect(!FileManager.default.fileExists(atPath: dir.path + "/nested/evil.service.state"))
  }

  /// Root's state directory is every other user's parent: made by a root
  /// run, it must still let them through to theirs.
  @Test func theSharedBaseStaysOpenToOtherUsers() throws {
    let dir = try Paths.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let base = dir.path + "/notify-unit"
    _ = try UnitStateStore(directory: base, sharedBase: base)
    _ = try UnitStateStore(directory: base + "/restic", sharedBase: base)
    let mode = { (path: String) in
      ((try FileManager.default.attributesOfItem(atPath: path))[.posixPermissions] as? Int) ?? -1
    }
    #expect(try mode(base) == 0o755)
    #expect(try mode(base + "/restic") & 0o007 == 0)
  }

  @Test func aCorruptFileIsSetAsideAndReported() throws {
    let dir = try Paths.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let store = try UnitStateStore(directory: dir.path)
    try "{\"not\": \"ours\"}".write(
      toFile: dir.path + "/backup_2eservice.state", atomically: true, encoding: .utf8)
    let (found, problem, _) = store.read("backup.service")
    #expect(found == nil)
    #expect(problem?.contains("is not a notify-unit state file: moved to") == true)
    let files = try FileManager.default.contentsOfDirectory(atPath: dir.path)
    #expect(files.contains { $0.hasPrefix("backup_2eservice.state.corrupt-") })
    try store.write("backup.service", record)
    #expect(store.read("backup.service").record == record)
  }

  @Test func unitsFinishingTogetherNeverTearAFile() throws {
    let dir = try Paths.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let state = dir.appendingPathComponent("state").path
    let id = JournalFixture.newInvocation()
    let journal = try JournalFixture.write(
      [JournalFixture.serviceLine(Array("done".utf8), invocation: id, at: JournalFixture.baseTime)],
      in: dir)
    let sendmail = try Command.script(at: dir.appendingPathComponent("sm").path, "cat >/dev/null")
    // Two dozen notify-unit processes at once (each its own pid, as units
    // finishing together are; threads would share one), three runs each:
    // half on one unit, half on units of their own.
    let processes = try (0..<24).map { i -> Process in
      let p = Process()
      p.executableURL = URL(fileURLWithPath: "/bin/sh")
      p.arguments = [
        "-c", #"for n in 1 2 3; do "$0" "$@" || exit 1; done"#, Paths.notifyUnit,
        "--config", "/dev/null", "--journal-file", journal, "--journal-settle", "0",
        "--state-directory", state, "--mail-to", "a@localhost", "--sendmail", sendmail,
        i % 2 == 0 ? "shared.service" : "unit\(i).service",
      ]
      p.environment = ["SERVICE_RESULT": "success", "INVOCATION_ID": id, "PATH": "/usr/bin:/bin"]
      p.standardError = FileHandle.nullDevice
      try p.runAlone()
      return p
    }
    for p in processes { p.waitUntilExit() }
    #expect(processes.allSatisfy { $0.terminationStatus == 0 })
    let store = try UnitStateStore(directory: state)
    let shared = store.read("shared.service")
    #expect(shared.problem == nil && shared.record?.success == true)
    for i in stride(from: 1, to: 24, by: 2) {
      let read = store.read("unit\(i).service")
      #expect(read.problem == nil && read.record?.result == "success")
    }
    let names = try FileManager.default.contentsOfDirectory(atPath: state)
    #expect(!names.contains { $0.hasSuffix(".tmp") || $0.contains(".corrupt-") }, "\(names)")
  }
}
