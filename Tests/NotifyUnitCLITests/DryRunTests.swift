import Foundation
import TestSupport
import Testing

@Suite struct DryRunTests {
  let check = SecretLedger.secret("7c2b1a9e-5d44-4f0e-8a61-2f3d9c0b4e17")

  @Test func hostileLogMakesAValidMailWithEveryLine() throws {
    let run = try HostileRun()
    defer { run.cleanUp() }
    let result = try notifyUnit(
      [
        "--dry-run", "--journal-file", run.path, "--mail-to", "admin@example.org", "backup.service",
        check,
      ],
      environment: run.outcomeEnvironment)
    #expect(result.status == 0, "\(result.stderr)")
    let mail = try ParsedMessage.parse(result.stdout)
    #expect(mail.defects.isEmpty)
    #expect(mail.maxLineOctets <= 998)
    #expect(mail.headers["Subject"] == "⛔ backup.service: exit-code (status 3) on \(hostName())")
    #expect(mail.headers["Auto-Submitted"] == "auto-generated")
    #expect(mail.headers["MIME-Version"] == "1.0")
    #expect(mail.headerNames.filter { $0.lowercased() == "subject" }.count == 1)
    #expect(!mail.headerNames.contains { $0.lowercased() == "bcc" })
    // Body: summary and readable tail, the last line in it.
    #expect(mail.body.contains("Main process:  exited with status 3"))
    #expect(!mail.body.contains("NOTIMPLEMENTED"))
    #expect(mail.body.contains("Invocation:    \(run.invocation)"))
    #expect(mail.bodyLog.hasSuffix("restic[4242]: the very last line\n"))
    #expect(mail.body.contains("restic[4242]: .\n"))
    #expect(mail.body.contains("␛[31mred␛[0m"))
    // Attachment: the exact log, the documented UTF-8 repair aside.
    let attachment = try #require(mail.attachment)
    // Over 64 KiB the log goes compressed (the parser gunzips it).
    let gz = attachment.contentType == "application/gzip" ? ".gz" : ""
    #expect(attachment.filename == "backup.service-\(run.invocation.prefix(12)).log\(gz)")
    let lines = attachment.text
    for m in run.messages {
      let repaired = String(decoding: m, as: UTF8.self)
      #expect(lines.contains(": " + repaired + "\n"), "missing \(repaired.prefix(40))")
    }
    #expect(lines.hasSuffix("restic[4242]: the very last line\n"))
    #expect(!lines.contains("another run"))
    // The ping that would be sent, on stderr, with the check redacted.
    #expect(result.stderr.contains("ping: POST https://hc-ping.com/7c2b…/3?rid="))
    #expect(!(result.stderr + result.stdoutText).contains(check))
  }

  @Test func successfulRunWithShortLogIsOnePart() throws {
    let dir = try Paths.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let id = JournalFixture.newInvocation()
    let path = try JournalFixture.write(
      [
        JournalFixture.serviceLine(
          Array("snapshot 1a2b3c saved".utf8), invocation: id, at: JournalFixture.baseTime),
        JournalFixture.managerLine(
          "Deactivated successfully.", invocation: id, at: JournalFixture.baseTime + 5_000_000),
      ], in: dir)
    let result = try notifyUnit(
      [
        "--dry-run", "--journal-file", path, "--mail-to", "A <a@example.org>", "--mail-to",
        "b@example.org", "backup.service",
      ],
      environment: [
        "SERVICE_RESULT": "success", "EXIT_CODE": "exited", "EXIT_STATUS": "0", "INVOCATION_ID": id,
      ])
    #expect(result.status == 0)
    let mail = try ParsedMessage.parse(result.stdout)
    #expect(mail.defects.isEmpty && mail.attachment == nil && mail.html != nil)
    #expect(mail.headers["Subject"]?.hasPrefix("💚 backup.service: success on ") == true)
    #expect(mail.rawHeaders["To"] == "\"A\" <a@example.org>,\n b@example.org")
    #expect(mail.body.contains("Duration:      5.0 s"))
    #expect(mail.bodyLog.hasSuffix("systemd[1]: Deactivated successfully.\n"))
  }

  @Test func unsetResultIsReportedAsAFailureWithANote() throws {
    let run = try HostileRun(hugeLine: false)
    defer { run.cleanUp() }
    let result = try notifyUnit(
      [
        "--dry-run", "--journal-file", run.path, "--invocation-id", run.invocation, "--mail-to",
        "a@b.org", "backup.service", check,
      ])
    #expect(result.status == 0)
    let mail = try ParsedMessage.parse(result.stdout)
    #expect(mail.headers["Subject"]?.hasPrefix("⛔ backup.service: unknown on") == true)
    #expect(mail.body.contains("SERVICE_RESULT was not set"))
    #expect(result.stderr.contains("/fail"))
  }

  @Test func aBadInvocationIDIsNotReplacedByAnotherRun() throws {
    let run = try HostileRun(hugeLine: false)
    defer { run.cleanUp() }
    let result = try notifyUnit(
      [
        "--dry-run", "--journal-file", run.path, "--invocation-id", "nope", "--mail-to", "a@b.org",
        "backup.service",
      ],
      environment: run.outcomeEnvironment)
    #expect(result.status == 64)
    let mail = try ParsedMessage.parse(result.stdout)
    #expect(mail.body.contains("--invocation-id was not a valid invocation ID"))
    #expect(mail.body.contains("Log lines:     0"))
    #expect(!mail.body.contains("restic[4242]"))
  }

  @Test func withoutAnInvocationTheLatestOneIsReported() throws {
    let run = try HostileRun(hugeLine: false)
    defer { run.cleanUp() }
    let result = try notifyUnit(
      ["--dry-run", "--journal-file", run.path, "--mail-to", "a@b.org", "backup.service"],
      environment: ["SERVICE_RESULT": "success"])
    let mail = try ParsedMessage.parse(result.stdout)
    #expect(mail.body.contains("Invocation:    \(run.invocation)"))
    #expect(mail.body.contains("this is the unit's latest invocation"))
  }

  /// An invocation of `count` lines "N LINE", in a journal file of its own
  /// under `dir`.
  func numberedRun(_ count: Int, of line: String, in dir: URL) throws -> (
    id: String, path: String
  ) {
    let id = JournalFixture.newInvocation()
    let entries = (0..<count).map {
      JournalFixture.serviceLine(
        Array("\($0) \(line)".utf8), invocation: id, at: JournalFixture.baseTime + UInt64($0))
    }
    return (id, try JournalFixture.write(entries, in: dir))
  }

  @Test func longLogStaysWithinTheCaps() throws {
    // 60,000 lines of 100 bytes (6 MB) with a 1 MB attachment cap.
    let dir = try Paths.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let line = String(repeating: "x", count: 90)
    let (id, path) = try numberedRun(60_000, of: line, in: dir)
    let result = try notifyUnit(
      [
        "--dry-run", "--journal-file", path, "--invocation-id", id, "--mail-to", "a@b.org",
        "--attachment-max-bytes", "1000000", "backup.service",
      ],
      environment: ["SERVICE_RESULT": "success"])
    #expect(result.status == 0)
    #expect(result.stdout.count < 1_500_000)
    let mail = try ParsedMessage.parse(result.stdout)
    #expect(mail.defects.isEmpty)
    let attachment = try #require(mail.attachment)
    // Compressed, the limit counts the gzip, which holds at most four
    // times the limit of the log.
    #expect(attachment.contentType == "application/gzip")
    #expect(attachment.text.utf8.count <= 4_000_000)
    #expect(attachment.text.utf8.count > 1_000_000)
    #expect(attachment.text.hasPrefix("[notify-unit: this log has "))
    #expect(attachment.text.contains("over the attachment limit of 1000000 bytes compressed"))
    #expect(attachment.text.hasSuffix(": 59999 \(line)\n"))
    // From a line's start: the note, then a whole line.
    let second = attachment.text.split(separator: "\n")[1]
    #expect(second.hasPrefix("2026-") && second.hasSuffix(line))
    #expect(mail.body.contains("the last 200 of 60000 lines"))
  }

  /// 30,000 lines (3 MB): deflated on the second thread while the journal
  /// is read (`CompressingLogArchive`), attached whole and in order.
  @Test func aLongLogIsAttachedWholeFromTheSecondThread() throws {
    let dir = try Paths.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let line = String(repeating: "y", count: 90)
    let (id, path) = try numberedRun(30_000, of: line, in: dir)
    let result = try notifyUnit(
      [
        "--dry-run", "--journal-file", path, "--invocation-id", id, "--mail-to", "a@b.org",
        "backup.service",
      ],
      environment: ["SERVICE_RESULT": "exit-code"])
    #expect(result.status == 0)
    let mail = try ParsedMessage.parse(result.stdout)
    #expect(mail.defects.isEmpty)
    #expect(mail.maxLineOctets <= 998)
    let attachment = try #require(mail.attachment)
    #expect(attachment.contentType == "application/gzip")
    let lines = attachment.text.split(separator: "\n")
    #expect(lines.count == 30_000)
    #expect(lines.enumerated().allSatisfy { $1.hasSuffix(": \($0) \(line)") })
  }

  @Test func versionAndHelp() throws {
    let version = try notifyUnit(["--version"])
    #expect(version.status == 0 && version.stdoutText.split(separator: ".").count == 3)
    let help = try notifyUnit(["--help"])
    #expect(help.stdoutText.contains("ExecStopPost="))
    #expect(help.stdoutText.contains("Exit status"))
    let reportHelp = try notifyUnit(["report", "--help"])
    #expect(reportHelp.stdoutText.contains("--mail-to"))
  }

  @Test func badValuesAreOneLineErrorsAndNothingIsSent() throws {
    let run = try HostileRun(hugeLine: false)
    defer { run.cleanUp() }
    let result = try notifyUnit(
      [
        "--dry-run", "--journal-file", run.path, "--mail-to", "a@b.org", "--timeout", "soon",
        "backup.service", "not-a-check",
      ],
      environment: run.outcomeEnvironment)
    #expect(result.status == 64)
    // Errors, as journald will file them (`journalctl -p err`).
    let errors = result.stderr.split(separator: "\n").filter { $0.hasPrefix("<3>notify-unit: ") }
    #expect(errors.contains { $0.contains("--timeout: TIMEOUT must be seconds") })
    #expect(errors.last?.contains("nothing was sent: correct the settings named above") == true)
    #expect(result.stdout.isEmpty)
    // A CHECK that cannot be used: nothing sent either, not the mail alone.
    let check = try notifyUnit(
      [
        "--dry-run", "--journal-file", run.path, "--mail-to", "a@b.org", "backup.service",
        "not-a-check",
      ],
      environment: run.outcomeEnvironment)
    #expect(check.status == 64)
    #expect(
      check.stderr.contains("<3>notify-unit: CHECK") && check.stderr.contains("nothing was sent"))
    #expect(check.stdout.isEmpty)
  }

  @Test func configFileProblemsStopTheRunAndFlagsWin() throws {
    let run = try HostileRun(hugeLine: false)
    defer { run.cleanUp() }
    let config = run.dir.appendingPathComponent("notify-unit.conf")
    try "MAIL_TO=file@example.org\nBODY_MAX_LINES=3\nBOGUS=1\n".write(
      to: config, atomically: true, encoding: .utf8)
    let result = try notifyUnit(
      ["--dry-run", "--journal-file", run.path, "--mail-to", "flag@example.org", "backup.service"],
      environment: run.outcomeEnvironment, config: config.path)
    #expect(result.status == 78)
    #expect(result.stderr.contains("notify-unit.conf: line 3: unknown setting BOGUS"))
    #expect(result.stdout.isEmpty)
    // Without the bad line, the file is used and the flag wins.
    try "MAIL_TO=file@example.org\nBODY_MAX_LINES=3\n".write(
      to: config, atomically: true, encoding: .utf8)
    let sound = try notifyUnit(
      ["--dry-run", "--journal-file", run.path, "--mail-to", "flag@example.org", "backup.service"],
      environment: run.outcomeEnvironment, config: config.path)
    #expect(sound.status == 0, "\(sound.stderr)")
    let mail = try ParsedMessage.parse(sound.stdout)
    #expect(mail.headers["To"] == "flag@example.org")
    #expect(mail.body.contains("the last 3 of"))
    let missing = try notifyUnit(
      ["--dry-run", "--journal-file", run.path, "backup.service"], config: "/nonexistent.conf")
    #expect(missing.status == 78 && missing.stderr.contains("cannot read /nonexistent.conf"))
    #expect(missing.stdout.isEmpty)
  }

  func hostName() -> String {
    ((try? String(contentsOfFile: "/proc/sys/kernel/hostname", encoding: .utf8)) ?? "")
      .trimmingCharacters(in: .whitespacesAndNewlines)
  }

  @Test func commandLineErrorsAreOneLine() throws {
    let missing = try notifyUnit([])
    #expect(missing.status == 64)
    #expect(missing.stderr.split(separator: "\n").count == 1)
    #expect(missing.stderr.hasPrefix("notify-unit: Missing expected argument"))
    let secret = SecretLedger.newCheck()
    let extra = try notifyUnit(["x.service", "y", secret])
    #expect(extra.status == 64 && !extra.stderr.contains(secret))
    let unknown = try notifyUnit(["--bogus", "x.service"])
    #expect(unknown.status == 64)
    #expect(unknown.stderr == "notify-unit: Unknown option '--bogus' (see notify-unit --help)\n")
  }
}

/// An OnFailure= handler: the outcome and invocation come from MONITOR_*,
/// never from the handler's own INVOCATION_ID or SERVICE_RESULT.
@Suite struct OnFailureModeTests {
  @Test func monitorVariablesNameTheFailedRun() throws {
    let run = try HostileRun(hugeLine: false)
    defer { run.cleanUp() }
    let result = try notifyUnit(
      [
        "--dry-run", "--journal-file", run.path, "--mail-to", "a@b.org", "--on-failure",
        "backup.service",
      ],
      environment: [
        "MONITOR_SERVICE_RESULT": "signal", "MONITOR_EXIT_CODE": "killed",
        "MONITOR_EXIT_STATUS": "KILL", "MONITOR_INVOCATION_ID": run.invocation,
        "MONITOR_UNIT": "backup.service", "INVOCATION_ID": JournalFixture.newInvocation(),
        "SERVICE_RESULT": "success",
      ])
    #expect(result.status == 0, "\(result.stderr)")
    let mail = try ParsedMessage.parse(result.stdout)
    #expect(mail.headers["Subject"]?.hasPrefix("⛔ backup.service: signal on ") == true)
    #expect(mail.body.contains("Main process:  killed by signal KILL (killed)"))
    #expect(mail.body.contains("Invocation:    \(run.invocation)"))
    #expect(mail.body.contains("Reported from: OnFailure= handler (MONITOR_*)"))
    #expect(mail.bodyLog.hasSuffix("restic[4242]: the very last line\n"))
  }

  @Test func withoutMonitorVariablesOfflineTheResultIsUnknown() throws {
    let run = try HostileRun(hugeLine: false)
    defer { run.cleanUp() }
    let result = try notifyUnit(
      [
        "--dry-run", "--journal-file", run.path, "--mail-to", "a@b.org", "--on-failure",
        "backup.service",
      ],
      environment: ["INVOCATION_ID": JournalFixture.newInvocation()])
    let mail = try ParsedMessage.parse(result.stdout)
    #expect(mail.headers["Subject"]?.hasPrefix("⛔ backup.service: unknown on ") == true)
    #expect(mail.body.contains("No unit status: the journal was read from files"))
    // The handler's own INVOCATION_ID is not the failed run: the unit's latest is.
    #expect(mail.body.contains("Invocation:    \(run.invocation)"))
  }
}
