import Foundation
import NotifyUnitCore
import NotifyUnitSystem
import TestSupport
import Testing

/// What `notify-unit status` reads: every unit's record, mail= and ping=
/// kept, and records written before those existed still read.
@Suite struct UnitStateStoreListingTests {
  @Test func recordsKeepMailAndPingAndOlderOnesStillRead() throws {
    let dir = try Paths.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let store = try UnitStateStore(directory: dir.path)
    let record = UnitStateStore.Record(
      success: true, result: "success", invocationID: nil, time: 7, mail: "sent",
      ping: "spooled: HTTP 503\nforged=line")
    try store.write("backup.service", record)
    // A record as notify-unit wrote it before mail= and ping= were kept.
    try "notify-unit-state 1\nunit=old.service\nsuccess=no\nresult=timeout\ninvocation=\ntime=5\n"
      .write(toFile: dir.path + "/old_2eservice.state", atomically: true, encoding: .utf8)
    try "not a state".write(
      toFile: dir.path + "/junk_2eservice.state", atomically: true, encoding: .utf8)

    let all = try UnitStateStore.records(in: dir.path)
    #expect(all.map(\.unit) == ["backup.service", "old.service"])
    let backup = try #require(all.first?.record)
    #expect(backup.mail == "sent")
    // A value cannot add a line (a key) to the record.
    #expect(backup.ping == "spooled: HTTP 503\u{FFFD}forged=line")
    let old = try #require(all.last?.record)
    #expect(old.success == false && old.result == "timeout" && old.mail == nil && old.ping == nil)
    // Listing changes nothing: the junk file is still where it was.
    #expect(FileManager.default.fileExists(atPath: dir.path + "/junk_2eservice.state"))
    #expect(try UnitStateStore.records(in: dir.path + "/missing").isEmpty)
  }
}
