import Foundation
import TestSupport
import Testing

/// The anomaly rules as a user meets them: a nightly restic backup that
/// exits 0 after the source lost 90 % of its files is a warning on every
/// channel, named in the history, the status and the metrics.
@Suite struct AnomalyTests {
  static let day: UInt64 = 86400 * 1_000_000

  /// restic-backup's log of one night: the backup, then its diff.
  static func backupLog(files: Int, gib: Int, removed: Int, invocation: String, at start: UInt64)
    -> [JournalFixture.Entry]
  {
    let lines = [
      "using parent snapshot 3de6d28e",
      "Files:           2 new,     1 changed,  \(files - 3) unmodified",
      "Added to the repository: 12.000 MiB (11.000 MiB stored)",
      "processed \(files) files, \(gib).000 GiB in 5:00",
      "snapshot ba5eca52 saved",
      "==> diff started",
      "Files:           2 new,  \(removed) removed,     1 changed",
    ]
    return lines.enumerated().map { i, line in
      JournalFixture.serviceLine(
        Array(line.utf8), invocation: invocation,
        // Five minutes from the first line to the last.
        at: start + UInt64(i) * 50_000_000)
    }
  }

  @Test func aBackupThatLostMostOfItsFilesIsAWarning() throws {
    let check = SecretLedger.newCheck()
    let server = try HealthchecksServer(checks: [check])
    let run = try HostileRun(hugeLine: false)
    defer { run.cleanUp() }
    let invocations = (0..<7).map { _ in JournalFixture.newInvocation() }
    var entries: [JournalFixture.Entry] = []
    for (i, id) in invocations.enumerated() {
      let lost = i >= 5
      entries += Self.backupLog(
        files: lost ? 1000 : 10_000, gib: lost ? 4 : 40, removed: lost ? 9000 : 3, invocation: id,
        at: JournalFixture.baseTime + UInt64(i) * Self.day)
    }
    let journal = try JournalFixture.write(entries, in: run.dir, name: "nights")
    let state = run.dir.appendingPathComponent("state").path
    let mails = run.dir.appendingPathComponent("mails").path
    let textfiles = run.dir.appendingPathComponent("textfiles").path
    for d in [mails, textfiles] {
      try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: false)
    }
    let sendmail = try Command.script(
      at: run.dir.appendingPathComponent("sendmail").path, "cat >'\(mails)'/$(date +%s%N)")
    let config = run.dir.appendingPathComponent("notify-unit.conf").path
    func configure(_ extra: String = "") throws {
      try "MAIL_TO=a@localhost\nPROMETHEUS_TEXTFILE_DIRECTORY=\(textfiles)\n\(extra)"
        .write(toFile: config, atomically: true, encoding: .utf8)
    }
    try configure()
    func report(_ night: Int) throws -> (CommandResult, [ParsedMessage]) {
      let before = Set(try FileManager.default.contentsOfDirectory(atPath: mails))
      let env = run.outcomeEnvironment.merging([
        "STATE_DIRECTORY": state, "INVOCATION_ID": invocations[night], "SERVICE_RESULT": "success",
        "EXIT_STATUS": "0",
      ]) { $1 }
      let r = try notifyUnit(
        [
          "--journal-file", journal, "--hc-url", server.baseURL, "--sendmail", sendmail,
          "backup.service", check,
        ], environment: env, config: config)
      let new = try FileManager.default.contentsOfDirectory(atPath: mails).filter {
        !before.contains($0)
      }
      return (
        r,
        try new.map {
          try ParsedMessage.parse(try Data(contentsOf: URL(fileURLWithPath: mails + "/" + $0)))
        }
      )
    }
    func metric(_ prefix: String) -> String? {
      let text =
        (try? String(
          contentsOfFile: textfiles + "/notify-unit_backup_2eservice.prom", encoding: .utf8))
        ?? ""
      return text.split(separator: "\n").first { $0.hasPrefix(prefix) }
        .map { String($0.split(separator: " ").last ?? "") }
    }

    // The first night is mailed (a unit not seen before): the rules wait.
    let (first, firstMails) = try report(0)
    #expect(first.status == 0, "\(first.stderr)")
    #expect(firstMails.count == 1)
    let firstText = firstMails.first?.body ?? ""
    #expect(firstText.contains("(ANOMALY_MIN_RUNS); there are 0 so far"), "\(firstText)")
    for night in 1...4 {
      let (r, m) = try report(night)
      #expect(r.status == 0 && m.isEmpty, "night \(night): \(r.stderr)")
    }

    // The sixth night processed 1,000 files of 10,000 and its diff removed 9,000.
    let (lost, lostMails) = try report(5)
    #expect(lost.status == 0, "\(lost.stderr)")
    let subject = lostMails.first?.headers["Subject"] ?? ""
    #expect(
      subject.hasPrefix(
        "⚠️ backup.service: restic processed 1000 files, under half of the usual 10000 (warning) on "
      ),
      "\(subject)")
    let body = lostMails.first?.body ?? ""
    #expect(
      body.contains("restic diff: 9000 files removed, 90 % of the last snapshot's 10000"), "\(body)"
    )
    #expect(
      body.contains("(rule many-removed; ANOMALIES=-many-removed switches it off)"), "\(body)")
    // Healthchecks: a success (the check stays up), the warning first.
    let ping = try #require(try server.requests().last)
    #expect(ping.kind == "success")
    #expect(
      ping.bodyText.hasPrefix("⚠️ backup.service: restic processed 1000 files"), "\(ping.bodyText)")
    #expect(
      metric("notify_unit_last_run_anomaly{unit=\"backup.service\",anomaly=\"few-files\"}") == "1")
    #expect(
      metric("notify_unit_last_run_anomaly{unit=\"backup.service\",anomaly=\"long-run\"}") == "0")
    #expect(
      metric("notify_unit_last_run_outcome{unit=\"backup.service\",outcome=\"warning\"}") == "1")
    #expect(metric("notify_unit_restic_processed_files{unit=\"backup.service\"}") == "1000")
    #expect(
      metric("notify_unit_restic_diff_files{unit=\"backup.service\",change=\"removed\"}") == "9000")
    #expect(
      metric("notify_unit_restic_processed_bytes{unit=\"backup.service\"}") == String(4 << 30))

    // status says it, and the history keeps every night.
    let status = try notifyUnit(["status", "--state-directory", state])
    #expect(status.stdoutText.contains("backup.service: warning,"), "\(status.stdoutText)")
    let history = try notifyUnit([
      "status", "--history", "backup.service", "--state-directory", state,
    ])
    #expect(history.status == 0, "\(history.stderr)")
    let rows = history.stdoutText.split(separator: "\n")
    #expect(rows.count == 7, "\(history.stdoutText)")
    #expect(
      rows.dropFirst().first?.contains("warning, 5 min 00 s, 7 lines, snapshot ba5eca52") == true,
      "\(history.stdoutText)")
    #expect(
      rows.dropFirst().first?.hasSuffix("[few-files, few-bytes, many-removed]") == true,
      "\(history.stdoutText)")
    let json = try notifyUnit([
      "status", "--history", "backup.service", "--json", "--state-directory", state,
    ])
    let object = try #require(
      try JSONSerialization.jsonObject(with: json.stdout) as? [String: Any])
    let runs = try #require(object["runs"] as? [[String: Any]])
    #expect(runs.count == 6)
    #expect(runs.first?["anomalies"] as? [String] == ["few-files", "few-bytes", "many-removed"])
    let restic = try #require(runs.first?["restic"] as? [String: Any])
    #expect(restic["files_processed"] as? Int == 1000)
    #expect((runs.first?["diff"] as? [String: Any])?["removed"] as? Int == 9000)

    // Switched off for the unit, the same figures are a plain success.
    try configure("ANOMALIES_backup_service=none\n")
    let (off, _) = try report(6)
    #expect(off.status == 0, "\(off.stderr)")
    #expect(
      metric("notify_unit_last_run_outcome{unit=\"backup.service\",outcome=\"success\"}") == "1")
    #expect(
      metric("notify_unit_last_run_anomaly{unit=\"backup.service\",anomaly=\"few-files\"}") == "0")
  }

  /// A history another user planted, or that is not one, is not read.
  @Test func aPlantedOrBrokenHistoryIsNotTrusted() throws {
    let run = try HostileRun(hugeLine: false)
    defer { run.cleanUp() }
    let state = run.dir.appendingPathComponent("state").path
    try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: false)
    try "not a history\n".write(
      toFile: state + "/backup_2eservice.history", atomically: true, encoding: .utf8)
    let broken = try notifyUnit([
      "status", "--history", "backup.service", "--state-directory", state,
    ])
    #expect(broken.stderr.contains("is not a notify-unit history file"), "\(broken.stderr)")
    #expect(
      broken.stdoutText.contains("No run of backup.service in its history yet"),
      "\(broken.stdoutText)")
    // A link in its place is refused, not followed.
    try FileManager.default.createSymbolicLink(
      atPath: state + "/x_2eservice.history", withDestinationPath: "/etc/passwd")
    let link = try notifyUnit(["status", "--history", "x.service", "--state-directory", state])
    #expect(!link.stdoutText.contains("root:"), "\(link.stdoutText)")
    #expect(link.stderr.contains("x_2eservice.history"), "\(link.stderr)")
  }
}
