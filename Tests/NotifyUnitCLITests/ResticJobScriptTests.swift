import Foundation
import TestSupport
import Testing

/// The backup job's diff step (units/bin/restic-backup), run from the
/// script's own functions under each awk a Debian host may have as `awk`:
/// Debian 12's mawk 1.3.4 20200120 has no interval expressions.
@Suite struct ResticJobScriptTests {
  /// `restic snapshots --compact` of three snapshots of host nas, as
  /// restic prints it (a header, rules, the count), and lines that are not
  /// snapshots but look close.
  static let snapshots = """
    ID        Time                 Host        Tags
    ----------------------------------------------
    a80c362e  2026-11-30 00:00:05  nas
    43cc15f4  2026-11-30 13:00:04  nas
    0b6e91d2  2026-12-01 00:00:03  nas         daily
    ----------------------------------------------
    3 snapshots
    0b6e91d  a 7-digit word
    0b6e91d2f a 9-digit word
    0B6E91D2  upper case
    0b6e91g2  not hex

    """

  /// The shell function `name` as the script defines it: from `name() {`
  /// to the `}` that closes it at the start of a line.
  static func function(_ name: String, in script: String) throws -> String {
    let lines = script.split(separator: "\n", omittingEmptySubsequences: false)
    let start = try #require(lines.firstIndex { $0 == "\(name)() {" }, "no \(name)() in the script")
    let end = try #require(lines[start...].firstIndex { $0 == "}" })
    return lines[start...end].joined(separator: "\n")
  }

  /// The awks present: mawk (Debian's default, required), gawk when
  /// installed.
  static var awks: [String] {
    ["/usr/bin/mawk", "/usr/bin/gawk", "/usr/bin/original-awk"].filter {
      FileManager.default.isExecutableFile(atPath: $0)
    }
  }

  @Test func theDiffStepFindsTheTwoLatestSnapshotsUnderEveryAwk() throws {
    #expect(
      FileManager.default.isExecutableFile(atPath: "/usr/bin/mawk"),
      "mawk is not installed: apt-get install mawk (Debian 12's default awk)")
    let version = try Command.run("/usr/bin/mawk", ["-W", "version"])
    print("mawk: \(version.stdoutText.split(separator: "\n").first ?? "?")")

    let script = try String(
      contentsOf: Paths.packageRoot.appendingPathComponent("units/bin/restic-backup"),
      encoding: .utf8)
    let functions = try ["snapshot_ids", "diff_latest"].map { try Self.function($0, in: script) }
    let dir = try Paths.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let output = dir.appendingPathComponent("snapshots.txt").path
    try Self.snapshots.write(toFile: output, atomically: true, encoding: .utf8)
    // A restic that prints those snapshots and says which two it compares.
    let restic = try Command.script(
      at: dir.appendingPathComponent("restic").path,
      """
      case $1 in
        snapshots) cat \(output) ;;
        diff) echo "comparing $2 with $3" ;;
      esac
      """)

    for awk in Self.awks {
      // `awk` is this one, as the alternatives system would make it.
      let bin = dir.appendingPathComponent(URL(fileURLWithPath: awk).lastPathComponent + "-bin")
      try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
      try FileManager.default.createSymbolicLink(
        atPath: bin.appendingPathComponent("awk").path, withDestinationPath: awk)
      let shell = (["set -uo pipefail", "restic=\(restic)"] + functions + ["diff_latest"])
        .joined(separator: "\n")
      let result = try Command.run(
        "/bin/bash", ["-c", shell], environment: ["PATH": "\(bin.path):/usr/bin:/bin"])
      #expect(result.status == 0, "\(awk): \(result.stderr)")
      #expect(result.stdoutText == "comparing 43cc15f4 with 0b6e91d2\n", "\(awk)")
    }
  }
}
