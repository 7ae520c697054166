import Foundation
import TestSupport
import Testing

/// ALERT_AFTER and REMIND_EVERY as a user sets them: a unit failing again
/// and again raises one alarm, and its recovery says from what.
@Suite struct AlertThresholdTests {
  @Test func theThirdFailureInARowAlarmsTheFourthWaitsForItsReminder() throws {
    let check = SecretLedger.newCheck()
    let server = try HealthchecksServer(checks: [check])
    let run = try HostileRun(hugeLine: false)
    defer { run.cleanUp() }
    // Five runs, each its own invocation, as a timer's are.
    let invocations = (0..<5).map { _ in JournalFixture.newInvocation() }
    let journal = try JournalFixture.write(
      invocations.enumerated().map { i, id in
        JournalFixture.serviceLine(
          Array("Fatal: unable to open repository".utf8), invocation: id,
          at: JournalFixture.baseTime + UInt64(i) * 3_600_000_000)
      }, in: run.dir, name: "runs")
    var runs = 0
    let state = run.dir.appendingPathComponent("state").path
    let mails = run.dir.appendingPathComponent("mails").path
    try FileManager.default.createDirectory(atPath: mails, withIntermediateDirectories: false)
    // Each message a file of its own.
    let sendmail = try Command.script(
      at: run.dir.appendingPathComponent("sendmail").path, "cat >'\(mails)'/$(date +%s%N)")
    let config = run.dir.appendingPathComponent("notify-unit.conf").path
    let textfiles = run.dir.appendingPathComponent("textfiles").path
    try FileManager.default.createDirectory(atPath: textfiles, withIntermediateDirectories: false)
    try
      "MAIL_TO=a@localhost\nALERT_AFTER_backup_service=3\nPROMETHEUS_TEXTFILE_DIRECTORY=\(textfiles)\n"
      .write(toFile: config, atomically: true, encoding: .utf8)
    func consecutiveFailures() -> String? {
      let text =
        (try? String(
          contentsOfFile: textfiles + "/notify-unit_backup_2eservice.prom", encoding: .utf8)) ?? ""
      return text.split(separator: "\n").first { $0.hasPrefix("notify_unit_consecutive_failures{") }
        .map { String($0.split(separator: " ").last ?? "") }
    }
    func report(_ result: String) throws -> (CommandResult, [String]) {
      let before = Set(try FileManager.default.contentsOfDirectory(atPath: mails))
      var env = run.outcomeEnvironment.merging([
        "STATE_DIRECTORY": state, "INVOCATION_ID": invocations[runs],
      ]) { $1 }
      runs += 1
      if result == "success" {
        env["SERVICE_RESULT"] = "success"
        env["EXIT_STATUS"] = "0"
      }
      let r = try notifyUnit(
        [
          "--journal-file", journal, "--hc-url", server.baseURL, "--sendmail", sendmail,
          "backup.service", check,
        ], environment: env, config: config)
      let new = try FileManager.default.contentsOfDirectory(atPath: mails).filter {
        !before.contains($0)
      }
      let subjects = try new.map {
        try ParsedMessage.parse(try Data(contentsOf: URL(fileURLWithPath: mails + "/" + $0)))
          .headers["Subject"] ?? ""
      }
      return (r, subjects)
    }

    for n in 1...2 {
      let (r, subjects) = try report("exit-code")
      #expect(r.status == 0, "\(r.stderr)")
      #expect(subjects.isEmpty, "failure \(n): \(subjects)")
      #expect(r.stderr.contains("no mail: failure \(n) of 3 in a row"), "\(r.stderr)")
    }
    // Healthchecks kept the log; the check stayed up.
    #expect(try server.requests().map(\.kind) == ["log", "log"])
    let body = try server.requests().last?.bodyText ?? ""
    #expect(body.contains("failure 2 of 3 before an alert"), "\(body)")

    let (alarm, alarmSubjects) = try report("exit-code")
    #expect(alarm.status == 0, "\(alarm.stderr)")
    #expect(alarmSubjects.count == 1)
    #expect(
      alarmSubjects.first?.hasPrefix(
        "⛔ backup.service: failed 3 runs in a row: Fatal: unable to open repository (exit-code, status 3)"
      ) == true,
      "\(alarmSubjects)")

    #expect(consecutiveFailures() == "3")
    let (quiet, quietSubjects) = try report("exit-code")
    #expect(quietSubjects.isEmpty, "\(quietSubjects)")
    #expect(quiet.stderr.contains("the next reminder is due after"), "\(quiet.stderr)")
    // Every failure from the alarm on reaches Healthchecks as one.
    #expect(try server.requests().map(\.kind) == ["log", "log", "exit", "exit"])

    // The same run reported again (by hand, a handler) counts no new failure.
    runs -= 1
    let (again, _) = try report("exit-code")
    #expect(again.status == 0 && consecutiveFailures() == "4", "\(again.stderr)")

    let (recovery, recoverySubjects) = try report("success")
    #expect(recovery.status == 0, "\(recovery.stderr)")
    #expect(
      recoverySubjects.first?.hasPrefix("💚 backup.service: recovered after 4 failed runs over ")
        == true, "\(recoverySubjects)")
    #expect(try server.requests().last?.kind == "success")

    #expect(consecutiveFailures() == "0")
  }
}
