import NotifyUnitCore
import Testing

/// Each anomaly rule on worked examples: what fires, what does not, and
/// what it says.
@Suite struct AnomalyRulesTests {
  static let hour: UInt64 = 3600 * 1_000_000

  /// A backup as restic-backup's log has it.
  static func run(
    _ i: Int, duration: Double = 300, files: Int = 10_000, bytes: UInt64 = 40 << 30,
    added: UInt64 = 200 << 20, new: Int = 20, changed: Int = 5, diff: ResticDiff? = nil,
    verdict: Verdict = .success
  ) -> RunHistoryEntry {
    var r = ResticSummary()
    r.snapshotID = "0000000\(i % 10)"
    r.filesNew = new
    r.filesChanged = changed
    r.filesUnmodified = files - new - changed
    r.processedFiles = files
    r.processedBytes = bytes
    r.addedBytes = added
    return RunHistoryEntry(
      time: UInt64(i) * 24 * hour, verdict: verdict, result: "success", duration: duration,
      lines: 31, restic: r, diff: diff)
  }

  /// Ten ordinary nightly backups, durations 4 to 6 minutes.
  static let usual = (0..<10).map { run($0, duration: 240 + Double($0 % 3) * 60) }

  func kinds(
    _ run: RunHistoryEntry, _ earlier: [RunHistoryEntry] = usual, _ t: AnomalyThresholds = .init()
  ) -> [AnomalyKind] {
    AnomalyRules.evaluate(run: run, earlier: earlier, thresholds: t).anomalies.map(\.kind)
  }

  @Test func anOrdinaryRunIsNoAnomaly() {
    #expect(kinds(Self.run(10, duration: 330)).isEmpty)
    let (found, note) = AnomalyRules.evaluate(
      run: Self.run(10), earlier: Self.usual, thresholds: .init())
    #expect(found.isEmpty && note == nil)
  }

  @Test func longRunNeedsThreeTimesTheMedianAndTenMinutesMore() throws {
    // Median 300 s: 901 s is over 3× and 601 s more.
    let (found, _) = AnomalyRules.evaluate(
      run: Self.run(10, duration: 1200), earlier: Self.usual, thresholds: .init())
    let a = try #require(found.first)
    #expect(a.kind == .longRun)
    #expect(a.reason == "it ran 20 min, over 3× the usual 5 min")
    #expect(kinds(Self.run(10, duration: 899)).isEmpty)
    // A job of 10 s that takes 5 min: 30×, but 4 min 50 s more only.
    let quick = (0..<10).map { Self.run($0, duration: 10) }
    #expect(kinds(Self.run(10, duration: 300), quick).isEmpty)
    #expect(kinds(Self.run(10, duration: 700), quick) == [.longRun])
  }

  @Test func fewFilesAndFewBytesAreUnderHalfTheMedian() throws {
    // The disk was not mounted: 900 files of 10,000, 1 GiB of 40.
    let (found, _) = AnomalyRules.evaluate(
      run: Self.run(10, files: 900, bytes: 1 << 30, added: 1 << 20), earlier: Self.usual,
      thresholds: .init())
    #expect(found.map(\.kind) == [.fewFiles, .fewBytes])
    #expect(found[0].reason == "restic processed 900 files, under half of the usual 10000")
    #expect(found[1].reason == "restic processed 1.000 GiB, under half of the usual 40.000 GiB")
    #expect(kinds(Self.run(10, files: 5001, bytes: 21 << 30)).isEmpty)
    var t = AnomalyThresholds()
    t.processedShare = 0.9
    #expect(kinds(Self.run(10, files: 8000, bytes: 40 << 30), Self.usual, t) == [.fewFiles])
  }

  @Test func largeAddedIsOverTenTimesTheMedianAnd64MiBMore() throws {
    let (found, _) = AnomalyRules.evaluate(
      run: Self.run(10, added: 3 << 30), earlier: Self.usual, thresholds: .init())
    #expect(found.map(\.reason) == ["restic added 3.000 GiB, over 10× the usual 200.000 MiB"])
    #expect(kinds(Self.run(10, added: 1999 << 20)).isEmpty)
    // Nothing usually added: 50 MiB is not news, 100 MiB is.
    let idle = (0..<10).map { Self.run($0, added: 1024) }
    #expect(kinds(Self.run(10, added: 50 << 20), idle).isEmpty)
    #expect(kinds(Self.run(10, added: 100 << 20), idle) == [.largeAdded])
  }

  @Test func manyRemovedIsOverFivePercentOrAThousandFiles() throws {
    // 90 % of 10,000 files deleted.
    let deleted = Self.run(10, files: 1000, diff: ResticDiff(added: 0, removed: 9000, changed: 0))
    let (found, _) = AnomalyRules.evaluate(run: deleted, earlier: Self.usual, thresholds: .init())
    #expect(found.map(\.kind) == [.fewFiles, .manyRemoved])
    #expect(found[1].reason == "restic diff: 9000 files removed, 90 % of the last snapshot's 10000")
    // 400 of 10,000 (4 %): not an anomaly; 600 (6 %) is.
    #expect(
      kinds(Self.run(10, files: 9600, diff: .init(added: 0, removed: 400, changed: 0))).isEmpty)
    #expect(
      kinds(Self.run(10, files: 9400, diff: .init(added: 0, removed: 600, changed: 0))) == [
        .manyRemoved
      ])
    // 1,000 files of a million: under 5 %, still 1,000.
    let big = (0..<10).map { Self.run($0, files: 1_000_000) }
    #expect(
      kinds(Self.run(10, files: 999_000, diff: .init(added: 0, removed: 1000, changed: 0)), big)
        == [.manyRemoved])
    // No history needed: the first diff's own figures say it.
    #expect(
      kinds(Self.run(0, files: 5, diff: .init(added: 0, removed: 45, changed: 0)), []) == [
        .manyRemoved
      ])
  }

  @Test func nothingChangedInSevenBackupsInARow() throws {
    let still = (0..<6).map { Self.run($0, new: 0, changed: 0) }
    let quiet = Self.run(6, new: 0, changed: 0)
    let (found, _) = AnomalyRules.evaluate(
      run: quiet, earlier: Self.usual + still, thresholds: .init())
    #expect(
      found.map(\.reason) == ["nothing changed in the last 7 backups (no file new or changed)"])
    // Six only, or one of the seven with a change: nothing to say.
    #expect(kinds(quiet, Self.usual + still.dropFirst()).isEmpty)
    #expect(kinds(Self.run(6, new: 1, changed: 0), Self.usual + still).isEmpty)
    var broken = still
    broken[2] = Self.run(2, new: 0, changed: 1)
    #expect(kinds(quiet, Self.usual + broken).isEmpty)
    // A failed run between them does not count as a backup.
    let failed = RunHistoryEntry(time: 1, verdict: .failure, result: "exit-code")
    #expect(
      kinds(quiet, Self.usual + still.prefix(3) + [failed] + still.suffix(3)) == [.nothingChanged])
  }

  @Test func anIncludeThatMatchesNothingIsAWarningFromTheFirstRun() {
    let (one, _) = AnomalyRules.evaluate(
      run: Self.run(0), earlier: [], unmatched: ["/home/x"], unmatchedCount: 1, thresholds: .init())
    #expect(one.map(\.reason) == ["restic: the include \"/home/x\" matches no file"])
    let (many, _) = AnomalyRules.evaluate(
      run: Self.run(0), earlier: [], unmatched: ["/a", "/b"], unmatchedCount: 7, thresholds: .init()
    )
    #expect(many.map(\.reason) == ["restic: 7 includes match no file: \"/a\", \"/b\", …"])
  }

  @Test func rulesWaitForFiveRunsAndSaySo() throws {
    let few = Array(Self.usual.prefix(4))
    let (found, note) = AnomalyRules.evaluate(
      run: Self.run(10, duration: 5000, files: 10), earlier: few, thresholds: .init())
    #expect(found.isEmpty)
    #expect(
      note?.contains("once there are 5 (ANOMALY_MIN_RUNS); there are 4 so far") == true,
      "\(note ?? "")")
    let (after, none) = AnomalyRules.evaluate(
      run: Self.run(10, duration: 5000, files: 10), earlier: Array(Self.usual.prefix(5)),
      thresholds: .init())
    #expect(after.map(\.kind) == [.longRun, .fewFiles] && none == nil)
    // Failures are not runs to compare with.
    let failures = (0..<10).map {
      RunHistoryEntry(time: UInt64($0), verdict: .failure, result: "exit-code")
    }
    #expect(kinds(Self.run(10, duration: 5000), few + failures).isEmpty)
  }

  @Test func onlySuccessesAreJudgedAndEachRuleCanBeSwitchedOff() {
    let odd = Self.run(10, duration: 5000, files: 10, verdict: .failure)
    #expect(kinds(odd).isEmpty)
    var t = AnomalyThresholds()
    t.enabled.remove(.longRun)
    #expect(kinds(Self.run(10, duration: 5000, files: 10), Self.usual, t) == [.fewFiles])
    t.enabled = []
    let (found, note) = AnomalyRules.evaluate(
      run: Self.run(10, duration: 5000, files: 10), earlier: [], unmatched: ["/x"],
      unmatchedCount: 1,
      thresholds: t)
    #expect(found.isEmpty && note == nil)
  }

  @Test func theMedianOfEvenAndOddCounts() {
    #expect(AnomalyRules.median([]) == nil)
    #expect(AnomalyRules.median([3, 1, 2]) == 2)
    #expect(AnomalyRules.median([4, 1, 3, 2]) == 2.5)
  }
}
