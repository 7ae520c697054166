import Foundation
import NotifyUnitCore
import NotifyUnitSystem
import TestSupport
import Testing

@Suite struct InvocationLogTests {
  typealias J = JournalFixture

  /// Both ways of reading: files merged from two handles (settle 0), and a
  /// live directory read through one four-term match (settle > 0).
  @Test(arguments: [0.0, 2.0])
  func matchesTheFourInvocationFieldsInOrder(settle: Double) throws {
    let dir = try Paths.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let id = J.newInvocation()
    let other = J.newInvocation()
    let t = J.baseTime
    let path = try J.write(
      [
        J.managerLine("Starting backup.service...", invocation: id, at: t),
        J.serviceLine(Array("other run".utf8), invocation: other, at: t + 1),
        J.serviceLine(Array("one".utf8), invocation: id, at: t + 2),
        J.managerLine("user manager line", invocation: id, at: t + 3, field: "USER_INVOCATION_ID"),
        J.managerLine(
          "object line", invocation: id, at: t + 4, field: "OBJECT_SYSTEMD_INVOCATION_ID"),
        J.managerLine("other manager", invocation: other, at: t + 5),
        J.serviceLine(Array("two".utf8), invocation: id, at: t + 6),
      ], in: dir)
    var messages: [String] = []
    let source: JournalSource = settle > 0 ? .directory(dir.path) : .files([path])
    let log = InvocationLog(source: source, invocationID: id)
    let outcome = try log.read(settle: settle, deadline: Deadline(secondsFromNow: 10)) {
      messages.append(String(decoding: $0.message, as: UTF8.self))
    }
    #expect(outcome.journalReadable && outcome.settled)
    #expect(
      messages == ["Starting backup.service...", "one", "user manager line", "object line", "two"])
  }

  /// A log too long to read whole in time: its start, a line saying the
  /// middle is left out, then its end, each entry once; when the end
  /// reaches back to what was read, simply every entry once.
  @Test(arguments: [(20_000, 3000, true), (2000, 5000, false)])
  func aLogTooLongForTheTimeKeepsItsStartAndItsEnd(lines: Int, tail: Int, leftOut: Bool)
    throws
  {
    let dir = try Paths.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let id = J.newInvocation()
    let t = J.baseTime
    var entries = [J.managerLine("Starting backup.service...", invocation: id, at: t)]
    for i in 0..<lines {
      entries.append(J.serviceLine(Array("line \(i)".utf8), invocation: id, at: t + 10 + UInt64(i)))
    }
    entries.append(J.managerLine("Failed", invocation: id, at: t + 10 + UInt64(lines)))
    let path = try J.write(entries, in: dir)
    var messages: [String] = []
    let outcome = try InvocationLog(source: .files([path]), invocationID: id).read(
      settle: 0, deadline: Deadline(secondsFromNow: 30), tailEntries: tail,
      headDeadline: Deadline(secondsFromNow: 0)
    ) { messages.append(String(decoding: $0.message, as: UTF8.self)) }
    #expect(outcome.complete && outcome.middleLeftOut == leftOut)
    #expect(messages.first == "Starting backup.service...")
    #expect(messages.last == "Failed")
    let shown = messages.filter { $0.hasPrefix("line ") }
    #expect(Set(shown).count == shown.count, "an entry came twice")
    let marker = messages.firstIndex { $0.hasPrefix("[… lines left out") }
    if leftOut {
      let marker = try #require(marker)
      // The head: what was read before the time ran out, from line 0 on.
      #expect(messages[1] == "line 0" && marker > 1)
      // The end: exactly the last `tail` lines, in order.
      let end = messages[(marker + 1)...].filter { $0.hasPrefix("line ") }
      #expect(end == (lines - tail..<lines).map { "line \($0)" })
    } else {
      #expect(marker == nil)
      #expect(shown == (0..<lines).map { "line \($0)" })
    }
  }

  /// From ExecStopPost=, notify-unit runs in the invocation it reports:
  /// its own lines (about the spool, say) are not the run's.
  @Test func theReportersOwnLinesAreLeftOut() throws {
    let dir = try Paths.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let id = J.newInvocation()
    let path = try J.write(
      [
        J.serviceLine(Array("restic done".utf8), invocation: id, at: J.baseTime),
        J.serviceLine(
          Array("notify-unit: a spooled mail is still not taken".utf8), invocation: id,
          at: J.baseTime + 1, identifier: "notify-unit", pid: "777"),
        J.serviceLine(
          Array("a line of another process named so".utf8), invocation: id, at: J.baseTime + 2,
          identifier: "notify-unit", pid: "778"),
        // `notify-unit start` in ExecStartPre=: another PID, its _COMM.
        J.Entry(
          J.serviceLine(
            Array("ping http://hc/start?rid=x: HTTP 500 on try 1; giving up".utf8),
            invocation: id, at: J.baseTime + 3, identifier: "notify-unit", pid: "779"
          ).fields + [("_COMM", Array("notify-unit".utf8))]),
      ], in: dir)
    var messages: [String] = []
    let outcome = try InvocationLog(source: .files([path]), invocationID: id).read(
      settle: 0, deadline: Deadline(secondsFromNow: 10), excludingPID: 777
    ) { messages.append(String(decoding: $0.message, as: UTF8.self)) }
    #expect(messages == ["restic done", "a line of another process named so"])
    #expect(outcome.ownLinesLeftOut == 1)
  }

  /// journald stores lines of a process that already exited without its
  /// invocation: seen under systemd 252, a job's last line read by hand
  /// after the unit stopped lacked it. The unit's lines without one are
  /// taken from the run's start, up to another run's line, whether or not
  /// the run has lines of its own.
  @Test(arguments: [false, true])
  func linesStoredWithoutTheirInvocationAreTakenByUnit(runHasOwnLines: Bool) throws {
    let dir = try Paths.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let id = J.newInvocation()
    let t = J.baseTime
    func orphan(_ text: String, at usec: UInt64) -> J.Entry {
      var entry = J.serviceLine(Array(text.utf8), invocation: id, at: usec)
      entry.fields.removeAll { $0.0 == "_SYSTEMD_INVOCATION_ID" }
      return entry
    }
    var entries = [
      orphan("before the run", at: t - 5),
      J.serviceLine(Array("earlier run".utf8), invocation: J.newInvocation(), at: t - 4),
      J.managerLine("Starting backup.service...", invocation: id, at: t),
      orphan("disk on fire", at: t + 1),
      J.managerLine("Failed", invocation: id, at: t + 3),
      J.serviceLine(Array("next run".utf8), invocation: J.newInvocation(), at: t + 10),
      orphan("after the next run started", at: t + 11),
    ]
    if runHasOwnLines {
      entries.append(J.serviceLine(Array("own line".utf8), invocation: id, at: t + 2))
    }
    let path = try J.write(entries, in: dir)
    var messages: [String] = []
    let outcome = try InvocationLog(
      source: .files([path]), invocationID: id, unit: "backup.service"
    )
    .read(settle: 0, deadline: Deadline(secondsFromNow: 10)) {
      messages.append(String(decoding: $0.message, as: UTF8.self))
    }
    if runHasOwnLines {
      #expect(messages == ["Starting backup.service...", "disk on fire", "own line", "Failed"])
      #expect(outcome.linesWithoutInvocation == 1)
    } else {
      #expect(messages == ["Starting backup.service...", "disk on fire", "Failed"])
      #expect(outcome.linesWithoutInvocation == 1)
    }
  }

  @Test func anEntryCarryingBothFieldsComesOnce() throws {
    let dir = try Paths.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let id = J.newInvocation()
    var both = J.serviceLine(Array("both fields".utf8), invocation: id, at: J.baseTime + 1)
    both.fields.append(("INVOCATION_ID", Array(id.utf8)))
    let path = try J.write(
      [
        J.managerLine("Starting", invocation: id, at: J.baseTime), both,
        J.managerLine("Finished", invocation: id, at: J.baseTime + 2),
      ], in: dir)
    var messages: [String] = []
    _ = try InvocationLog(source: .files([path]), invocationID: id).read(
      settle: 0, deadline: Deadline(secondsFromNow: 10)
    ) { messages.append(String(decoding: $0.message, as: UTF8.self)) }
    #expect(messages == ["Starting", "both fields", "Finished"])
  }

  @Test func hostileContentArrivesByteForByte() throws {
    let dir = try Paths.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let id = J.newInvocation()
    let hostile: [[UInt8]] = [
      [0x62, 0x61, 0x64, 0xFF, 0xFE, 0xC3], [0x6E, 0x75, 0x6C, 0x00, 0x78],
      Array("\u{1B}[31mred\u{1B}[0m".utf8),
      [0x2E], Array("From me".utf8), Array("emoji 💾✅".utf8), Array("cr\rhere".utf8),
      Array("multi\nline".utf8), [UInt8](repeating: 0x41, count: 1 << 20),
    ]
    let path = try J.write(
      hostile.enumerated().map { J.serviceLine($1, invocation: id, at: J.baseTime + UInt64($0)) },
      in: dir)
    var records: [LogRecord] = []
    _ = try InvocationLog(source: .files([path]), invocationID: id).read(
      settle: 0, deadline: Deadline(secondsFromNow: 10)
    ) { records.append($0) }
    #expect(records.map(\.message) == hostile)
    #expect(
      records.allSatisfy {
        $0.priority == 6 && $0.identifier == Array("restic".utf8) && $0.pid == Array("4242".utf8)
      })
    #expect(records.first?.realtime == J.baseTime)
  }

  @Test func findsTheUnitsLatestInvocation() throws {
    let dir = try Paths.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let old = J.newInvocation()
    let new = J.newInvocation()
    let path = try J.write(
      [
        J.serviceLine(Array("old".utf8), invocation: old, at: J.baseTime),
        J.serviceLine(Array("new".utf8), invocation: new, at: J.baseTime + 10),
        J.serviceLine(
          Array("else".utf8), invocation: J.newInvocation(), at: J.baseTime + 20,
          unit: "other.service"),
      ], in: dir)
    #expect(try InvocationLog.latestInvocation(of: "backup.service", source: .files([path])) == new)
    #expect(
      try InvocationLog.latestInvocation(of: "nothing.service", source: .files([path])) == nil)
  }

  @Test func missingJournalFileIsAnErrorNamingIt() throws {
    #expect {
      _ = try InvocationLog(
        source: .files(["/nonexistent/x.journal"]), invocationID: J.newInvocation()
      )
      .read(settle: 0, deadline: Deadline(secondsFromNow: 1)) { _ in }
    } throws: { error in
      error is JournalError && "\(error)".contains("/nonexistent/x.journal")
    }
  }

  /// journald stores a service's last lines after ExecStopPost= may have
  /// started: lines appended while notify-unit reads must still be in.
  @Test func waitsForLinesStillBeingStored() throws {
    let dir = try Paths.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let id = J.newInvocation()
    let writer = try SlowJournalWriter(
      directory: dir, invocation: id, early: 5, late: 8, interval: 0.25)
    defer { writer.stop() }
    try writer.waitForFile()
    var messages: [String] = []
    let started = Date()
    let outcome = try InvocationLog(source: .directory(dir.path), invocationID: id).read(
      settle: 10, deadline: Deadline(secondsFromNow: 20)
    ) { messages.append(String(decoding: $0.message, as: UTF8.self)) }
    let elapsed = Date().timeIntervalSince(started)
    #expect(outcome.settled)
    #expect(messages.count == 13)
    #expect(messages.last == "late 7")
    // Generous: the settle limit is 10 s; stopping well before it shows
    // the reader ended when the lines were in, not at its limit.
    #expect(elapsed < 9)
  }

  @Test func givesUpSettlingAtItsLimitAndSaysSo() throws {
    let dir = try Paths.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let id = J.newInvocation()
    let writer = try SlowJournalWriter(
      directory: dir, invocation: id, early: 1, late: 100, interval: 0.1)
    defer { writer.stop() }
    try writer.waitForFile()
    let started = Date()
    let outcome = try InvocationLog(source: .directory(dir.path), invocationID: id).read(
      settle: 1, deadline: Deadline(secondsFromNow: 20)
    ) { _ in }
    #expect(!outcome.settled)
    #expect(Date().timeIntervalSince(started) < 2)
  }
}
