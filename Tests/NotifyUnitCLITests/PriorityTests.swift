import Foundation
import TestSupport
import Testing

/// notify-unit's lines carry their syslog priority ("<4>") for journald
/// (SyslogLevelPrefix=), so `journalctl -p warning` finds a report that was
/// not delivered; a person at a terminal sees no prefix.
@Suite struct PriorityTests {
  /// The lines `journalctl -p LEVEL` would show: priority LEVEL or more
  /// urgent, read from the prefix as journald reads it (no prefix: info).
  func lines(_ stderr: String, atMost level: Int) -> [String] {
    stderr.split(separator: "\n").compactMap { line in
      guard line.hasPrefix("<"), line.count > 3, line.dropFirst(2).first == ">",
        let p = Int(String(line.dropFirst().prefix(1)))
      else { return level >= 6 ? String(line) : nil }
      return p <= level ? String(line.dropFirst(3)) : nil
    }
  }

  @Test func anUndeliveredReportIsAWarningAndASentOneIsNot() throws {
    let run = try HostileRun(hugeLine: false)
    defer { run.cleanUp() }
    let tempfail = try Command.script(
      at: run.dir.appendingPathComponent("sendmail").path, "cat >/dev/null\nexit 75")
    let args = ["--journal-file", run.path, "--mail-to", "mail@localhost", "backup.service"]
    // stderr is a pipe here, as under systemd: every line has its prefix.
    let kept = try notifyUnit(["--sendmail", tempfail] + args, environment: run.outcomeEnvironment)
    #expect(kept.status == 0, "\(kept.stderr)")
    let all = kept.stderr.split(separator: "\n")
    #expect(!all.isEmpty && all.allSatisfy { $0.hasPrefix("<") && $0.dropFirst(2).hasPrefix(">") })
    #expect(
      lines(kept.stderr, atMost: 4).contains {
        $0.hasPrefix("notify-unit: mail not sent, kept in the spool for the next run")
      }, "\(kept.stderr)")

    let sent = try notifyUnit(
      [
        "--sendmail",
        try Command.script(at: run.dir.appendingPathComponent("ok").path, "cat >/dev/null"),
      ]
        + args, environment: run.outcomeEnvironment)
    #expect(sent.status == 0, "\(sent.stderr)")
    #expect(lines(sent.stderr, atMost: 4).isEmpty, "\(sent.stderr)")
    #expect(sent.stderr.contains("<6>notify-unit: mail sent to 1 recipient(s)"))
  }

  @Test func aTerminalSeesNoPrefix() throws {
    let run = try HostileRun(hugeLine: false)
    defer { run.cleanUp() }
    // script(1) gives notify-unit a terminal for stdout and stderr. Its
    // undelivered mail goes to a spool of its own, never the host's.
    let command = [
      Paths.notifyUnit, "--config", "/dev/null", "--journal-file", run.path,
      "--state-directory", run.dir.appendingPathComponent("state").path,
      "--mail-to", "a@b.org", "--sendmail", "/nonexistent/sendmail", "backup.service",
    ]
    .map { "'\($0)'" }.joined(separator: " ")
    let result = try Command.run(
      "/usr/bin/script", ["-qec", command, "/dev/null"],
      environment: run.outcomeEnvironment.merging(["PATH": "/usr/bin:/bin"]) { $1 })
    let text = result.stdoutText
    #expect(text.contains("notify-unit: mail not sent"), "\(text)")
    #expect(!text.contains("<3>") && !text.contains("<4>") && !text.contains("<6>"), "\(text)")
  }
}
