import NotifyUnitCore
import Testing

/// The figures the run history and the anomaly rules take from restic's
/// output: sizes in bytes, the diff's counts, includes that match nothing.
/// From real output of Debian 12's restic 0.14.0 (ResticSummaryTests).
@Suite struct ResticFiguresTests {
  func parse(_ output: String) -> ResticSummaryParser { ResticSummaryTests().parse(output) }

  @Test func sizesReadBackAsBytesWithinAThousandthOfTheirUnit() {
    #expect(ResticSummary.bytes(shown: "141 B") == 141)
    #expect(ResticSummary.bytes(shown: "18.509 KiB") == 18 * 1024 + 509 * 1024 / 1000)
    #expect(ResticSummary.bytes(shown: "1.204 GiB") == (1 << 30) + 204 * (1 << 30) / 1000)
    #expect(ResticSummary.bytes(shown: "2.5 MiB") == (1 << 20) * 5 / 2)
    // Each shown size reads back within a thousandth of its unit.
    for bytes: UInt64 in [0, 1023, 1024, 201_415, 25_500_013, 1_073_741_823, 5 << 40] {
      let back = ResticSummary.bytes(shown: ResticSummary.formatBytes(bytes))!
      let unit: UInt64 =
        bytes >= 1 << 40
        ? 1 << 40
        : bytes >= 1 << 30 ? 1 << 30 : bytes >= 1 << 20 ? 1 << 20 : bytes >= 1024 ? 1024 : 1
      #expect(max(back, bytes) - min(back, bytes) <= unit / 1000 + 1, "\(bytes) → \(back)")
    }
    for bad in [
      "", "12", "1.2.3 KiB", "-1 KiB", "+1 KiB", "1.2345 KiB", "1 kB", "1 KiB x", "x KiB",
    ] {
      #expect(ResticSummary.bytes(shown: bad) == nil, "\(bad)")
    }
    // No trap on a size too large for 64 bits.
    #expect(ResticSummary.bytes(shown: "99999999999999999 TiB") == .max)
  }

  @Test func theTextSummaryKeepsBytesAndTheDiffItsCounts() throws {
    let parser = parse(ResticSummaryTests.verbose014)
    let s = try #require(parser.summary)
    #expect(s.addedBytes == ResticSummary.bytes(shown: "2.879 MiB"))
    #expect(s.storedBytes == ResticSummary.bytes(shown: "2.865 MiB"))
    #expect(s.processedBytes == ResticSummary.bytes(shown: "27.180 MiB"))
    #expect(parser.diff == ResticDiff(added: 1, removed: 0, changed: 0))
  }

  @Test func jsonBytesAreExact() throws {
    let s = try #require(parse(ResticSummaryTests.json014).summary)
    #expect(s.addedBytes == 38383 && s.processedBytes == 25_500_013 && s.storedBytes == nil)
  }

  // restic 0.14.0 after 45 of 50 files were deleted: `restic diff` of the
  // two snapshots, and `--files-from` naming a path that is not there.
  @Test func aDiffAfterADeletionAndAnIncludeThatMatchesNothing() throws {
    let parser = parse(
      """
      pattern "/tmp/rt/nothere" does not match any files, skipping
      -    /tmp/rt/src/a/f9
      +    /tmp/rt/src/b/new

      Files:           1 new,    45 removed,     0 changed
      Dirs:            0 new,     0 removed
      Others:          0 new,     0 removed
      Data Blobs:      1 new,    45 removed
      Tree Blobs:      6 new,     6 removed
        Added:   3.729 KiB
        Removed: 18.494 KiB
      """)
    #expect(parser.diff == ResticDiff(added: 1, removed: 45, changed: 0))
    #expect(parser.unmatchedPatterns == ["/tmp/rt/nothere"] && parser.unmatchedPatternCount == 1)
    #expect(parser.sawRestic)
    // A backup's "Files:" line is no diff.
    #expect(parse(ResticSummaryTests.text014).diff == nil)
  }

  @Test func unmatchedIncludesAreBoundedAndShownSafely() {
    var lines = (0..<50).map { "pattern \"/mnt/disk\($0)\" does not match any files, skipping" }
    lines.append("pattern \"/x\u{1B}[31m\u{202E}\" does not match any files, skipping")
    let parser = parse(lines.joined(separator: "\n"))
    #expect(parser.unmatchedPatternCount == 51)
    #expect(parser.unmatchedPatterns.count == 5)
    let hostile = parse(lines.last!).unmatchedPatterns.first ?? ""
    #expect(
      !hostile.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x202E }, "\(hostile)")
    // Not restic's words: no include.
    #expect(parse("pattern \"/a\" does not match any files").unmatchedPatternCount == 0)
  }
}
