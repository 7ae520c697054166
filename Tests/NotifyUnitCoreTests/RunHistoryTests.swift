import NotifyUnitCore
import Testing

/// A unit's run history as its file keeps it: read back as written,
/// bounded, and safe against the values it holds.
@Suite struct RunHistoryTests {
  static let day: UInt64 = 86400 * 1_000_000

  static func backup(at time: UInt64, files: Int = 1000, new: Int = 3) -> RunHistoryEntry {
    var r = ResticSummary()
    r.snapshotID = "8c71d5e0"
    r.filesNew = new
    r.filesChanged = 1
    r.filesUnmodified = files - new - 1
    r.processedFiles = files
    r.processedBytes = UInt64(files) * 4096
    r.addedBytes = 12_000
    r.storedBytes = 9_000
    return RunHistoryEntry(
      time: time, verdict: .success, result: "success",
      invocationID: "0123456789abcdef0123456789abcdef", duration: 62.5, lines: 31, restic: r,
      diff: ResticDiff(added: 3, removed: 2, changed: 1))
  }

  @Test func anEntryReadsBackAsWritten() throws {
    var failed = RunHistoryEntry(
      time: 1_765_000_000_000_000, verdict: .failure, result: "exit-code", duration: 4.25,
      lines: 6, reason: "Fatal: unable to open repository at /srv/restic-repo")
    failed.restic = ResticSummary()
    var warned = Self.backup(at: 1_765_086_400_000_000)
    warned.verdict = .warning
    warned.anomalies = [.fewFiles, .manyRemoved]
    warned.reason = "restic processed 10 files, under half of the usual 1000"
    let entries = [failed, Self.backup(at: 1_765_080_000_000_000), warned]
    let text = RunHistory.formatted(entries)
    let (back, unreadable) = try #require(RunHistory.parse(text))
    #expect(unreadable == 0)
    #expect(back.count == 3)
    #expect(back[0] == failed)
    // Shown sizes are made again from the bytes.
    var expected = Self.backup(at: 1_765_080_000_000_000)
    expected.restic?.added = ResticSummary.formatBytes(12_000)
    expected.restic?.stored = ResticSummary.formatBytes(9_000)
    expected.restic?.processedSize = ResticSummary.formatBytes(1000 * 4096)
    #expect(back[1] == expected)
    #expect(back[2].anomalies == [.fewFiles, .manyRemoved] && back[2].reason == warned.reason)
  }

  /// A reason from the log (ESC, bidi controls, newlines, "=", a field's
  /// name) stays one value on one line.
  @Test func aHostileReasonCannotAddALineOrAField() throws {
    let reason = "x\nverdict=success time=1 \u{1B}[2J\u{202E} reason=y\r\n\u{0}"
    let e = RunHistoryEntry(
      time: 5, verdict: .failure, result: "exit code\nverdict=success",
      invocationID: "a b\nc", lines: 1, reason: reason)
    let text = RunHistory.formatted([e])
    #expect(text.split(separator: "\n").count == 2)
    #expect(
      !text.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x202E || $0.value == 0 })
    let back = try #require(RunHistory.parse(text)?.entries.first)
    #expect(back.verdict == .failure && back.time == 5)
    #expect(back.reason?.hasPrefix("x") == true && back.reason?.contains("reason=y") == true)
    #expect(back.result == "exit_code\u{FFFD}verdict=success")
  }

  @Test func linesThatDoNotReadAreSkippedNotFatal() throws {
    let text = """
      notify-unit-history 1
      time=1 verdict=success result=success lines=2
      garbage
      time=x verdict=success result=success
      time=2 verdict=maybe result=success
      time=99999999999999999999999 verdict=failure result=exit-code lines=99999999999999999999

      """
    let (entries, unreadable) = try #require(RunHistory.parse(text))
    // A time past 64 bits does not read; a count saturates.
    #expect(entries.map(\.time) == [1])
    #expect(unreadable == 4)
    let late = try #require(
      RunHistory.parse(
        "notify-unit-history 1\ntime=18446744073709551615 verdict=failure result=x lines=99999999999999999999\n"
      )?.entries.first)
    #expect(late.time == .max && late.lines == Int.max)
    #expect(RunHistory.parse("notify-unit-state 1\n") == nil)
    #expect(RunHistory.parse("") == nil)
  }

  @Test func theLast100RunsAndThoseOf90DaysAreKeptAtMost1000() {
    // A run a day for 200 days: the last 100 (all within 90 days: 90 of
    // them, and 10 more kept for the count).
    var daily: [RunHistoryEntry] = []
    for d in 0..<200 { daily = RunHistory.adding(Self.backup(at: UInt64(d) * Self.day), to: daily) }
    #expect(daily.count == 100)
    #expect(daily.first?.time == 100 * Self.day && daily.last?.time == 199 * Self.day)
    // Every five minutes for 30 days: all of 90 days would be 8,640 runs.
    var often: [RunHistoryEntry] = []
    for i in 0..<3000 {
      often = RunHistory.adding(Self.backup(at: UInt64(i) * 300_000_000), to: often)
    }
    #expect(often.count == 1000)
    #expect(often.last?.time == 2999 * 300_000_000)
    // Weekly for three years: 100 runs, though most are older than 90 days.
    var weekly: [RunHistoryEntry] = []
    for w in 0..<156 {
      weekly = RunHistory.adding(Self.backup(at: UInt64(w) * 7 * Self.day), to: weekly)
    }
    #expect(weekly.count == 100 && weekly.last?.time == 155 * 7 * Self.day)
    // The file stays within what is read back.
    #expect(RunHistory.formatted(often).utf8.count < RunHistory.maxFileBytes)
  }
}
