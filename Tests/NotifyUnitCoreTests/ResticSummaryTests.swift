import NotifyUnitCore
import Testing

/// restic's backup summary, read from real output: Debian 12's restic 0.14.0
/// (text, `-v` text and `--json`, captured from backups to a local
/// repository), and the 0.13 form of the added-data line.
@Suite struct ResticSummaryTests {
  func parse(_ output: String) -> ResticSummaryParser {
    var parser = ResticSummaryParser()
    for line in output.split(separator: "\n", omittingEmptySubsequences: false) {
      parser.add(Array(line.utf8))
    }
    return parser
  }

  // restic 0.14.0, `restic backup data`, the first snapshot.
  static let text014 = """
    no parent snapshot found, will read all files

    Files:          50 new,     0 changed,     0 unmodified
    Dirs:            1 new,     0 changed,     0 unmodified
    Added to the repository: 24.336 MiB (24.327 MiB stored)

    processed 50 files, 24.319 MiB in 0:00
    snapshot d052f383 saved
    """

  // restic 0.14.0, `restic backup -v data` with a parent, as restic-backup
  // runs it, followed by the job's `restic diff` (whose "Files:" line and
  // "Added:" are not a backup's).
  static let verbose014 = """
    open repository
    lock repository
    using parent snapshot 3de6d28e
    load index files
    start scan on [data]
    start backup on [data]
    scan finished in 0.211s: 52 files, 27.180 MiB
    new       /data/big, saved in 0.031s (2.861 MiB added)
    modified  /data, saved in 0.032s (1.013 KiB added, 1.142 KiB stored, 0 B metadata)

    Files:           1 new,     0 changed,    51 unmodified
    Dirs:            0 new,     1 changed,     0 unmodified
    Data Blobs:      4 new
    Tree Blobs:      2 new
    Added to the repository: 2.879 MiB (2.865 MiB stored)

    processed 52 files, 27.180 MiB in 0:00
    snapshot ba5eca52 saved
    ==> backup took 1 s (exit status 0)
    ==> diff started
    Files:           1 new,     0 removed,     0 changed
    Dirs:            0 new,     0 removed
    Others:          0 new,     0 removed
    Data Blobs:      4 new,     0 removed
    Tree Blobs:      2 new,     2 removed
      Added:   2.879 MiB
      Removed: 17.939 KiB
    """

  // restic 0.14.0, `restic backup --json data`: the status line, then the summary.
  static let json014 = """
    {"message_type":"status","percent_done":0.5,"total_files":51,"files_done":25,"total_bytes":25500013,"bytes_done":12750000,"current_files":["/data/f30"]}
    {"message_type":"summary","files_new":1,"files_changed":1,"files_unmodified":49,"dirs_new":0,"dirs_changed":1,"dirs_unmodified":0,"data_blobs":2,"tree_blobs":2,"data_added":38383,"total_files_processed":51,"total_bytes_processed":25500013,"total_duration":0.246050107,"snapshot_id":"3de6d28e"}
    """

  @Test func debian12TextSummary() throws {
    let parser = parse(Self.text014)
    let s = try #require(parser.summary)
    #expect(s.snapshotID == "d052f383")
    #expect(s.filesNew == 50 && s.filesChanged == 0 && s.filesUnmodified == 0)
    #expect(s.added == "24.336 MiB" && s.stored == "24.327 MiB")
    #expect(s.processedFiles == 50 && s.processedSize == "24.319 MiB" && s.duration == "0:00")
    #expect(s.headline == "snapshot d052f383, +24.336 MiB")
    #expect(parser.sawRestic)
  }

  @Test func verboseRunThenDiffKeepsTheBackupsSummary() throws {
    let s = try #require(parse(Self.verbose014).summary)
    #expect(s.snapshotID == "ba5eca52")
    #expect(s.filesNew == 1 && s.filesChanged == 0 && s.filesUnmodified == 51)
    #expect(s.added == "2.879 MiB" && s.stored == "2.865 MiB")
    #expect(s.processedFiles == 52 && s.processedSize == "27.180 MiB")
    let lines = Dictionary(uniqueKeysWithValues: s.lines)
    #expect(lines["Files"] == "1 new, 0 changed, 51 unmodified")
    #expect(lines["Added"] == "2.879 MiB (2.865 MiB stored)")
    #expect(lines["Processed"] == "52 files, 27.180 MiB in 0:00")
    #expect(lines["Snapshot"] == "ba5eca52")
  }

  /// The journal fuzzer's finding: the sizes are the job's own text, and
  /// went into the subject as written (escape sequences, bidi overrides).
  @Test func sizesFromTheLogAreShownNotObeyed() throws {
    let log = """
      Files:           1 new,     0 changed,     0 unmodified
      Added to the repository: 1.2\u{1B}[2J GiB (1\u{202E}.1 GiB stored)
      processed 1 files, 9\u{7} GiB in 0:0\u{1B}]0;x\u{7}
      snapshot 8c71d5e0 saved
      """
    let s = try #require(parse(log).summary)
    #expect(s.added == "1.2\u{FFFD}[2J GiB" && s.stored == "1<U+202E>.1 GiB")
    #expect(s.processedSize == "9\u{FFFD} GiB" && s.duration == "0:0\u{FFFD}]0;x\u{FFFD}")
    #expect(!s.headline.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x202E })
  }

  @Test func resticBefore014SaysAddedToTheRepo() throws {
    // restic 0.13's text.go: "Added to the repo: %-5s" (no compression, no "stored").
    let s = try #require(
      parse(
        """
        using parent snapshot 5b2c9f01

        Files:           3 new,     2 changed,   120 unmodified
        Dirs:            0 new,     4 changed,    17 unmodified
        Added to the repo: 1.204 GiB

        processed 125 files, 8.912 GiB in 1:02
        snapshot 8c71d5e0 saved
        """
      ).summary)
    #expect(s.headline == "snapshot 8c71d5e0, +1.204 GiB")
    #expect(s.stored == nil)
    #expect(Dictionary(uniqueKeysWithValues: s.lines)["Added"] == "1.204 GiB")
    #expect(s.duration == "1:02")
  }

  @Test func jsonSummary() throws {
    let parser = parse(Self.json014)
    let s = try #require(parser.summary)
    #expect(s.snapshotID == "3de6d28e")
    #expect(s.filesNew == 1 && s.filesChanged == 1 && s.filesUnmodified == 49)
    // restic shows 38383 bytes as 37.483 KiB.
    #expect(s.added == "37.483 KiB")
    #expect(s.stored == nil)
    #expect(s.processedFiles == 51 && s.processedSize == "24.319 MiB")
    #expect(s.duration == "0.2 s")
    #expect(parser.sawRestic)
  }

  @Test func newerJSONWithPackedSizeAndFullID() throws {
    // 0.17+: data_added_packed; a full snapshot ID is shown short.
    let s = try #require(
      parse(
        #"{"message_type":"summary","files_new":0,"files_changed":0,"files_unmodified":3,"data_added":1292790562,"data_added_packed":402653184,"total_files_processed":3,"total_bytes_processed":200023,"total_duration":75.5,"backup_start":"2024-01-01T00:00:00Z","snapshot_id":"8c71d5e0aa11223344556677889900aabbccddeeff00112233445566778899aa","extra":{"x":[1,2]}}"#
      ).summary)
    #expect(s.headline == "snapshot 8c71d5e0, +1.204 GiB")
    #expect(s.stored == "384.000 MiB")
    #expect(s.duration == "1 min 16 s")
  }

  @Test func noSummaryWithoutItsSnapshotLine() {
    // A failed or cut backup: the counts alone are no summary.
    let cut = parse(
      """
      Files:           2 new,     0 changed,     0 unmodified
      Added to the repository: 196.695 KiB (196.423 KiB stored)
      """)
    #expect(cut.summary == nil)
    // A dry run's JSON, restic diff, and other jobs' lines are not either.
    #expect(
      parse(#"{"message_type":"summary","dry_run":true,"data_added":5,"snapshot_id":"3de6d28e"}"#)
        .summary == nil)
    let diff = parse(String(Self.verbose014.split(separator: "==> diff started")[1]))
    #expect(diff.summary == nil)
    let other = parse("snapshot deadbeef saved\nFiles: a lot\n{\"not\":\"restic\"}\n{broken")
    #expect(other.summary == nil && !other.sawRestic)
  }

  @Test func resticIsRecognisedByItsOwnLines() {
    #expect(parse("Fatal: wrong password or no key found").sawRestic)
    #expect(parse("Warning: at least one source file could not be read").sawRestic)
    #expect(!parse("Fatal: something else\nerror: open /x: permission denied").sawRestic)
  }

  @Test func bytesAsResticShowsThem() {
    #expect(ResticSummary.formatBytes(0) == "0 B")
    #expect(ResticSummary.formatBytes(1023) == "1023 B")
    #expect(ResticSummary.formatBytes(1024) == "1.000 KiB")
    #expect(ResticSummary.formatBytes(201_415) == "196.694 KiB")
    #expect(ResticSummary.formatBytes(1_073_741_823) == "1024.000 MiB")
    #expect(ResticSummary.formatBytes(UInt64.max) == "16777216.000 TiB")
  }
}
