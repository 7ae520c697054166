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
    let (found, problem) = store.read("backup.service")
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
    let path = dir.path
    // Two dozen writers at once, as separate processes would: half on one
    // unit, half on units of their own.
    DispatchQueue.concurrentPerform(iterations: 24) { i in
      guard let store = try? UnitStateStore(directory: path) else { return }
      let unit = i % 2 == 0 ? "shared.service" : "unit\(i).service"
      for n in 0..<20 {
        try? store.write(
          unit, .init(success: n % 2 == 0, result: "r\(i)-\(n)", invocationID: nil, time: UInt64(n))
        )
      }
    }
    let store = try UnitStateStore(directory: path)
    #expect(store.read("shared.service").record?.time == 19)
    for i in stride(from: 1, to: 24, by: 2) {
      #expect(store.read("unit\(i).service").record?.result == "r\(i)-19")
    }
    let leftovers = try FileManager.default.contentsOfDirectory(atPath: path).filter {
      $0.contains(".tmp-")
    }
    #expect(leftovers.isEmpty)
  }
}
