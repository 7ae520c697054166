import Foundation
import NotifyUnitCore
import NotifyUnitSystem
import TestSupport
import Testing

/// journald's stream state files (what systemd 252 writes, 0600 root, in
/// /run/systemd/journal/streams/) as the sign that a unit's last lines are
/// stored, and the quiet window where they cannot tell.
@Suite struct JournalStreamsTests {
  typealias J = JournalFixture

  /// As systemd 252 writes them; later versions may add keys.
  func stateFile(unit: String, identifier: String = "sh", extra: String = "") -> String {
    """
    # This is private data. Do not parse
    PRIORITY=6
    LEVEL_PREFIX=1
    FORWARD_TO_SYSLOG=0
    FORWARD_TO_KMSG=0
    FORWARD_TO_CONSOLE=0
    STREAM_ID=d5cdb9d73e1749439381058121153df4
    IDENTIFIER=\(identifier)
    UNIT=\(unit)
    \(extra)
    """
  }

  func directory(_ files: [String: String]) throws -> URL {
    let dir = try Paths.temporaryDirectory()
    for (name, text) in files {
      try text.write(to: dir.appendingPathComponent(name), atomically: false, encoding: .utf8)
    }
    return dir
  }

  @Test func onlyItsOwnStreamLeftMeansClosed() throws {
    let dir = try directory([
      "9:1": stateFile(unit: "dbus.service"),
      "9:2": stateFile(unit: "backup.service", identifier: "notify-unit", extra: "NEW_KEY=1"),
    ])
    defer { try? FileManager.default.removeItem(at: dir) }
    let streams = JournalStreams(
      unit: "backup.service", runStart: nil, ownStreams: 1, directory: dir.path)
    #expect(streams.state() == .closed)
  }

  @Test func theMainProcessStreamKeepsItOpen() throws {
    let dir = try directory([
      "9:1": stateFile(unit: "backup.service", identifier: "restic"),
      "9:2": stateFile(unit: "backup.service", identifier: "notify-unit"),
    ])
    defer { try? FileManager.default.removeItem(at: dir) }
    let streams = JournalStreams(
      unit: "backup.service", runStart: nil, ownStreams: 1, directory: dir.path)
    #expect(streams.state() == .open(named: 1, maybe: 0))
  }

  /// Output not to the journal, or no such directory: nothing is known.
  /// Another journal namespace: its own stream is not there, the job's
  /// may be open (the quiet window decides).
  @Test func withoutItsOwnStreamNothingIsKnown() throws {
    let dir = try directory(["9:1": stateFile(unit: "dbus.service")])
    defer { try? FileManager.default.removeItem(at: dir) }
    let notJournal = JournalStreams(
      unit: "backup.service", runStart: nil, ownStreams: 0, directory: dir.path)
    if case .unknown = notJournal.state() {
    } else {
      Issue.record("output not to the journal: \(notJournal.state())")
    }
    let namespace = JournalStreams(
      unit: "backup.service", runStart: nil, ownStreams: 1, directory: dir.path)
    #expect(namespace.state() == .open(named: 0, maybe: 1))
    let missing = JournalStreams(
      unit: "backup.service", runStart: nil, ownStreams: 1, directory: dir.path + "/nonexistent")
    guard case .unknown = missing.state() else {
      Issue.record("a missing directory: \(missing.state())")
      return
    }
  }

  /// A User= unit cannot read them: files written since the run started
  /// may be its; the newest since notify-unit started is its own.
  @Test func unreadableFilesAreJudgedByTheirTime() {
    typealias S = JournalStreams.Stream
    let start: UInt64 = 1_800_000_000_000_000
    let reporter = start + 4_000_000
    let old = S(modified: start - 60_000_000, owner: .unreadable)
    let main = S(modified: start + 1_000, owner: .unreadable)
    let own = S(modified: start + 5_000_000, owner: .unreadable)
    func state(_ streams: [S], runStart: UInt64? = start, ownSince: UInt64? = reporter)
      -> JournalStreams.State
    {
      JournalStreams.state(
        of: streams, unit: "u.service", runStart: runStart, ownStreams: 1, ownSince: ownSince)
    }
    #expect(state([old, own]) == .closed)
    #expect(state([old, main, own]) == .open(named: 0, maybe: 1))
    // journald, still storing the job's lines, has not read notify-unit's
    // stream header yet: the job's stream is not taken for its own.
    #expect(state([old, main]) == .open(named: 0, maybe: 2))
    for unknown in [state([own], runStart: nil), state([own], ownSince: nil)] {
      guard case .unknown = unknown else {
        Issue.record("no run or no own start: cannot be told apart, got \(unknown)")
        continue
      }
    }
  }

  /// The same with readable files: the job's stream, older than
  /// notify-unit, is never taken for notify-unit's own.
  @Test func theJobsStreamIsNeverTakenForItsOwn() {
    typealias S = JournalStreams.Stream
    let reporter: UInt64 = 1_800_000_000_000_000
    let main = S(modified: reporter - 2_000_000, owner: .unit("u.service"))
    #expect(
      JournalStreams.state(
        of: [main], unit: "u.service", runStart: nil, ownStreams: 1, ownSince: reporter)
        == .open(named: 1, maybe: 1))
  }

  @Test func unitNamesAreUnescapedAsJournaldEscapesThem() {
    #expect(
      JournalStreams.unit(inStateFile: Array("# x\nUNIT=foo\\\\x2dbar.service\n".utf8))
        == "foo\\x2dbar.service")
    #expect(JournalStreams.unit(inStateFile: Array("IDENTIFIER=sh\n".utf8)) == nil)
    #expect(JournalStreams.cUnescaped(Array("a\\x41\\101\\n".utf8)) == Array("aAA\n".utf8))
  }

  /// The settle wait ends on the stream files when they say the lines are
  /// stored; with the main process's stream still open it does not stop at
  /// the quiet window; without them it is the quiet window, as before.
  @Test func theSettleWaitFollowsTheStreams() throws {
    let dir = try Paths.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let id = J.newInvocation()
    let path = try J.write(
      [
        J.managerLine("Starting backup.service...", invocation: id, at: J.baseTime),
        J.serviceLine(Array("done".utf8), invocation: id, at: J.baseTime + 1),
      ], in: dir)
    func settle(streams: [String: String]?) throws -> InvocationLog.Outcome {
      let streamDir = try directory(streams ?? [:])
      defer { try? FileManager.default.removeItem(at: streamDir) }
      var lines = 0
      let outcome = try InvocationLog(
        source: .files([path]), invocationID: id, unit: "backup.service"
      ).read(
        settle: 0.8, deadline: Deadline(secondsFromNow: 30),
        streams: streams.map { _ in
          InvocationLog.StreamSignal(directory: streamDir.path, ownStreams: 1)
        }
      ) { _ in lines += 1 }
      #expect(lines == 2)
      return outcome
    }
    let own = stateFile(unit: "backup.service", identifier: "notify-unit")
    #expect(try settle(streams: ["9:2": own]).settledBy == .streams)
    let mainOpen = try settle(streams: [
      "9:1": stateFile(unit: "backup.service", identifier: "restic"), "9:2": own,
    ])
    #expect(mainOpen.settledBy == .timeLimit)
    #expect(!mainOpen.settled)
    #expect(try settle(streams: nil).settledBy == .quiet)
  }
  /// By hand, for a run whose end systemd logged longer ago than the
  /// settle time, nothing more can come: no wait at all. A run that ended
  /// just now still gets its quiet window.
  @Test func aRunThatEndedLongAgoIsNotWaitedFor() throws {
    let dir = try Paths.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    func read(endedAt end: UInt64) throws -> InvocationLog.Outcome {
      let id = J.newInvocation()
      var deactivated = J.managerLine(
        "backup.service: Deactivated successfully.", invocation: id, at: end)
      deactivated.fields.append(("MESSAGE_ID", Array("7ad2d189f7e94e70a38c781354912448".utf8)))
      let path = try J.write(
        [
          J.managerLine("Starting backup.service...", invocation: id, at: end - 2_000_000),
          J.serviceLine(Array("done".utf8), invocation: id, at: end - 1_000_000),
          deactivated,
        ], in: dir, name: "run-\(end)")
      var lines = 0
      let outcome = try InvocationLog(
        source: .files([path]), invocationID: id, unit: "backup.service"
      ).read(settle: 0.8, deadline: Deadline(secondsFromNow: 30)) { _ in lines += 1 }
      #expect(lines == 3)
      return outcome
    }
    #expect(try read(endedAt: J.baseTime).settledBy == .endedLongAgo)
    let now = UInt64(Date().timeIntervalSince1970 * 1e6)
    #expect(try read(endedAt: now).settledBy == .quiet)
  }
}
