import Foundation
import TestSupport
import Testing

/// End to end with real peers: exim4 delivering to a local mailbox, and the
/// loopback Healthchecks server.
@Suite struct DeliveryTests {
  /// Debian's exim4 (local delivery) must be installed: .ci/run and
  /// scripts/setup install it. The local user "mail" exists on every Debian.
  static let mailbox = "/var/mail/mail"
  let check = SecretLedger.newCheck()

  /// Waits for the message whose Subject names `unit` in the mailbox.
  func delivered(unit: String, timeout: Double = 30) throws -> [ParsedMessage] {
    let limit = Date().addingTimeInterval(timeout)
    while Date() < limit {
      // Only the messages that name the unit (in the body's summary, plain
      // in quoted-printable) are parsed: the mailbox holds every test's mail.
      let needle = Data("Unit:          \(unit)".utf8)
      let found = try mboxMessages(Self.mailbox).filter { $0.range(of: needle) != nil }
        .map(ParsedMessage.parse).filter { $0.headers["Subject"]?.contains(unit) == true }
      if !found.isEmpty { return found }
      usleep(200_000)
    }
    return []
  }

  @Test func realMTADeliversTheWholeMailDespiteALoneDot() throws {
    #expect(
      FileManager.default.fileExists(atPath: "/usr/sbin/exim4"),
      "exim4 is not installed: run scripts/setup")
    let run = try HostileRun(hugeLine: false)
    defer { run.cleanUp() }
    let unit = "dot-\(UUID().uuidString.prefix(8).lowercased()).service"
    let result = try notifyUnit(
      [
        "--journal-file", run.path, "--invocation-id", run.invocation, "--mail-to",
        "mail@localhost", unit,
      ],
      environment: ["SERVICE_RESULT": "exit-code", "EXIT_CODE": "exited", "EXIT_STATUS": "1"])
    #expect(result.status == 0, "\(result.stderr)")
    let mails = try delivered(unit: unit)
    #expect(mails.count == 1)
    let mail = try #require(mails.first)
    #expect(mail.defects.isEmpty)
    #expect(mail.maxLineOctets <= 998)
    // A log line "." arrives whole (RealMTATests checks that sendmail gets -oi).
    #expect(mail.body.contains("restic[4242]: .\n"))
    #expect(mail.bodyLog.hasSuffix("restic[4242]: the very last line\n"))
    #expect(mail.body.contains("From the start of a line"))
  }

  /// `MAIL_TO=mail` (a local name, as the conffile's `root`): the MTA routes
  /// it, through sendmail and over SMTP, and the headers carry a domain.
  @Test func aLocalRecipientIsDeliveredThroughSendmailAndSMTP() throws {
    let mta = try MTADaemon()
    let run = try HostileRun(hugeLine: false)
    defer { run.cleanUp() }
    for transport in [[], ["--smtp-url", mta.url]] {
      let unit = "local-\(UUID().uuidString.prefix(8).lowercased()).service"
      let result = try notifyUnit(
        ["--journal-file", run.path, "--invocation-id", run.invocation, "--mail-to", "mail"]
          + transport + [unit],
        environment: ["SERVICE_RESULT": "exit-code", "EXIT_CODE": "exited", "EXIT_STATUS": "1"])
      #expect(result.status == 0, "\(transport): \(result.stderr)")
      let mail = try #require(try delivered(unit: unit).first, "\(transport)")
      let to = try #require(mail.headers["To"])
      #expect(to.hasPrefix("mail@") && to.count > 5, "\(to)")
    }
  }

  /// SMTP_URL: what a sandboxed unit uses, where set-uid sendmail cannot work.
  @Test func submitsOverSMTPWhenSMTPURLIsSet() throws {
    let mta = try MTADaemon()
    let run = try HostileRun(hugeLine: false)
    defer { run.cleanUp() }
    let unit = "smtp-\(UUID().uuidString.prefix(8).lowercased()).service"
    let result = try notifyUnit(
      [
        "--journal-file", run.path, "--invocation-id", run.invocation, "--mail-to",
        "mail@localhost", "--sendmail", "/nonexistent/sendmail", "--smtp-url", mta.url, unit,
      ],
      environment: ["SERVICE_RESULT": "exit-code", "EXIT_CODE": "exited", "EXIT_STATUS": "1"])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stderr.contains("through \(mta.url)"))
    let mail = try #require(try delivered(unit: unit).first)
    #expect(mail.defects.isEmpty)
    #expect(mail.body.contains("restic[4242]: .\n"))
    #expect(mail.bodyLog.hasSuffix("restic[4242]: the very last line\n"))
  }

  @Test func pingsSuccessAndFailureWithTheRunsTail() throws {
    let server = try HealthchecksServer(checks: [check])
    let run = try HostileRun(extraLines: 3000, hugeLine: false)
    defer { run.cleanUp() }
    let common = ["--journal-file", run.path, "--hc-url", server.baseURL + "/ping"]
    let failed = try notifyUnit(
      common + ["backup.service", check], environment: run.outcomeEnvironment)
    #expect(failed.status == 0, "\(failed.stderr)")
    var env = run.outcomeEnvironment
    env["SERVICE_RESULT"] = "success"
    let ok = try notifyUnit(common + ["backup.service", check], environment: env)
    #expect(ok.status == 0)
    let pings = try server.requests()
    // exit-code, status 3: Healthchecks' exit-status endpoint.
    #expect(pings.map(\.kind) == ["exit", "success"])
    #expect(pings.first?.exitStatus == 3)
    let rid = [8, 4, 4, 4, 12].reduce(into: (parts: [String](), rest: Substring(run.invocation))) {
      $0.parts.append(String($0.rest.prefix($1)))
      $0.rest = $0.rest.dropFirst($1)
    }.parts.joined(separator: "-")
    #expect(pings.allSatisfy { $0.rid == rid && $0.bodyUtf8 && $0.bodyLength <= 100_000 })
    #expect(pings[0].bodyText.hasPrefix("⛔ backup.service: exit-code (status 3) on "))
    #expect(pings[0].bodyText.hasSuffix("restic[4242]: the very last line\n"))
    #expect(!pings[0].bodyText.contains("\u{1B}") && !pings[0].body.contains(0))
    #expect(!(failed.stderr + ok.stderr).contains(check))
  }

  @Test func pingBodyIsCutToTheServersLimit() throws {
    let server = try HealthchecksServer(checks: [check], pingBodyLimit: 2000)
    let run = try HostileRun(extraLines: 500, hugeLine: false)
    defer { run.cleanUp() }
    let result = try notifyUnit(
      [
        "--journal-file", run.path, "--hc-url", server.baseURL, "--ping-body-limit", "2000",
        "backup.service", check,
      ],
      environment: run.outcomeEnvironment)
    #expect(result.status == 0)
    let ping = try #require(try server.requests().first)
    #expect(ping.bodyLength <= 2000)
    #expect(ping.bodyText.contains("[notify-unit: log cut to its last"))
    #expect(ping.bodyText.hasSuffix("the very last line\n"))
  }

  @Test func unknownCheckExits69WithoutRetrying() throws {
    let server = try HealthchecksServer(checks: [])
    let run = try HostileRun(hugeLine: false)
    defer { run.cleanUp() }
    let result = try notifyUnit(
      ["--journal-file", run.path, "--hc-url", server.baseURL, "backup.service", check],
      environment: run.outcomeEnvironment)
    #expect(result.status == 69)
    #expect(try server.requests().count == 1)
    #expect(result.stderr.contains("HTTP 404"))
    #expect(!result.stderr.contains(check))
  }

  @Test func unreachableHealthchecksEndsWithinTheDeadline() throws {
    let run = try HostileRun(hugeLine: false)
    defer { run.cleanUp() }
    // Port 9 (discard) on loopback: nothing listens, connections are refused.
    let result = try notifyUnit(
      [
        "--journal-file", run.path, "--hc-url", "http://127.0.0.1:9", "--timeout", "4",
        "backup.service", check,
      ],
      environment: run.outcomeEnvironment)
    // Nothing lost: the ping waits in the spool, the unit is not failed.
    #expect(result.status == 0)
    #expect(result.stderr.contains("ping kept in the spool"))
    // Generous: four retries would back off 1+2+4+8 s past --timeout 4;
    // a loaded two-core machine may be slow to start the process.
    #expect(result.seconds < 12)
    // With a spool to wait in, two quick tries: the flush sends it later.
    #expect(result.stderr.split(separator: "\n").filter { $0.contains("retrying in") }.count == 1)
    #expect(!result.stderr.contains(check))
  }

  @Test func failedMailIsReportedInThePingAndTheExitStatus() throws {
    let server = try HealthchecksServer(checks: [check])
    let run = try HostileRun(hugeLine: false)
    defer { run.cleanUp() }
    let result = try notifyUnit(
      [
        "--journal-file", run.path, "--hc-url", server.baseURL, "--mail-to", "a@b.org",
        "--sendmail", "/nonexistent/sendmail", "backup.service", check,
      ],
      environment: run.outcomeEnvironment)
    // A wrong SENDMAIL is a misconfiguration: loud (69), and the mail spooled.
    #expect(result.status == 69)
    #expect(
      result.stderr.contains(
        "mail not sent, kept in the spool for the next run: cannot run /nonexistent/sendmail"))
    let ping = try #require(try server.requests().first)
    #expect(ping.bodyText.contains("note: the mail could not be sent"))
  }

  @Test func slowMTAAndStalledServerStillEndWithinTheDeadlineAndPing() throws {
    let server = try HealthchecksServer(checks: [check])
    try server.inject(Array(repeating: ["stall": 30.0], count: 10))
    let run = try HostileRun(hugeLine: false)
    defer { run.cleanUp() }
    let sendmail = run.dir.appendingPathComponent("sendmail").path
    try Command.script(at: sendmail, "exec sleep 60")
    let result = try notifyUnit(
      [
        "--journal-file", run.path, "--hc-url", server.baseURL, "--mail-to", "a@b.org",
        "--sendmail", sendmail, "--timeout", "6", "--ping-timeout", "1", "backup.service", check,
      ],
      environment: run.outcomeEnvironment)
    // Both kept in the spool: nothing lost, the unit not failed.
    #expect(result.status == 0)
    // Generous (twice --timeout): only a deadline not kept goes far past it.
    #expect(result.seconds < 12, "took \(result.seconds) s with --timeout 6")
    #expect(
      result.stderr.contains(
        "mail not sent, kept in the spool for the next run: sendmail did not finish before the deadline"
      ))
    // The mail's wait left the ping its share of the deadline.
    #expect(try server.requests().count >= 1)
  }

  @Test func dryRunSendsNothing() throws {
    let server = try HealthchecksServer(checks: [check])
    let run = try HostileRun(hugeLine: false)
    defer { run.cleanUp() }
    let result = try notifyUnit(
      [
        "--dry-run", "--journal-file", run.path, "--hc-url", server.baseURL, "--mail-to", "a@b.org",
        "--sendmail", "/nonexistent/sendmail", "backup.service", check,
      ],
      environment: run.outcomeEnvironment)
    #expect(result.status == 0)
    #expect(try server.requests().isEmpty)
    // exit-code, status 3: the exit-status endpoint.
    #expect(result.stderr.contains("ping: POST \(server.baseURL)/\(check.prefix(4))…/3?rid="))
  }

  /// libcurl takes the proxy from http_proxy: the loopback server stands in
  /// for the proxy and sees the ping's absolute URL (plain http:// only to
  /// this machine: 127.0.0.2, which nothing serves).
  @Test func pingsGoThroughTheProxyFromTheEnvironment() throws {
    let proxy = try HealthchecksServer(checks: [])
    let run = try HostileRun(hugeLine: false)
    defer { run.cleanUp() }
    var env = run.outcomeEnvironment
    env["http_proxy"] = proxy.baseURL
    env["no_proxy"] = ""
    _ = try notifyUnit(
      [
        "--journal-file", run.path, "--hc-url", "http://127.0.0.2/ping",
        "--ping-retries", "0", "backup.service", check,
      ],
      environment: env)
    let requests = try proxy.requests()
    #expect(requests.count == 1)
    #expect(requests.first?.path.hasPrefix("http://127.0.0.2/ping/") == true)
  }
}

/// `notify-unit start`, for ExecStartPre=.
@Suite struct StartSignalTests {
  let check = SecretLedger.newCheck()
  let invocation = JournalFixture.newInvocation()

  @Test func sendsStartWithTheInvocationAsRid() throws {
    let server = try HealthchecksServer(checks: [check])
    let result = try notifyUnit(
      ["start", "--hc-url", server.baseURL, "backup.service", check],
      environment: ["INVOCATION_ID": invocation])
    #expect(result.status == 0, "\(result.stderr)")
    let ping = try #require(try server.requests().first)
    #expect(ping.kind == "start" && ping.method == "POST")
    #expect(ping.rid?.replacingOccurrences(of: "-", with: "") == invocation)
    #expect(ping.bodyText.hasPrefix("backup.service starting on "))
    #expect(!result.stderr.contains(check))
  }

  @Test func networkDownNeitherDelaysNorFailsTheJob() throws {
    let result = try notifyUnit(
      ["start", "--hc-url", "http://127.0.0.1:9", "backup.service", check],
      environment: ["INVOCATION_ID": invocation])
    #expect(result.status == 0)
    // Generous: only a start signal that waits past its deadline (10 s)
    // by far, or hangs, fails this on a loaded two-core machine.
    #expect(result.seconds < 25)
    #expect(result.stderr.contains("start signal dropped"))
    #expect(!result.stderr.contains(check))
  }

  @Test func misconfigurationIsLoud() throws {
    let server = try HealthchecksServer(checks: [])
    let unknown = try notifyUnit(
      ["start", "--hc-url", server.baseURL, "backup.service", check],
      environment: ["INVOCATION_ID": invocation])
    #expect(unknown.status == 69)
    let bad = try notifyUnit(["start", "backup.service", "not-a-check"])
    #expect(bad.status == 64)
    let none = try notifyUnit(["start", "backup.service"])
    #expect(none.status == 0 && none.stderr.isEmpty)
  }
}

/// CHECK as `file:PATH`: the secret stays out of the unit's command line.
@Suite struct CheckFromFileTests {
  @Test func theCheckIsReadFromTheFileAndNeverShown() throws {
    let check = SecretLedger.newCheck()
    let server = try HealthchecksServer(checks: [check])
    let run = try HostileRun(hugeLine: false)
    defer { run.cleanUp() }
    let file = run.dir.appendingPathComponent("hc-backup").path
    try "\(check)\n".write(toFile: file, atomically: true, encoding: .utf8)
    chmod(file, 0o640)
    let result = try notifyUnit(
      ["--journal-file", run.path, "--hc-url", server.baseURL, "backup.service", "file:\(file)"],
      environment: run.outcomeEnvironment)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(try server.requests().map(\.kind) == ["exit"])
    #expect(!result.stderr.contains(check) && !result.stderr.contains("every user can read"))
    // Readable by everyone: said, with the fix, and still used.
    chmod(file, 0o644)
    let start = try notifyUnit(
      ["start", "--hc-url", server.baseURL, "backup.service", "file:\(file)"],
      environment: ["INVOCATION_ID": run.invocation])
    #expect(start.status == 0)
    #expect(start.stderr.contains("every user can read it: chmod o-r \(file)"))
    #expect(try server.requests().last?.kind == "start")
    let missing = try notifyUnit(
      ["start", "--hc-url", server.baseURL, "backup.service", "file:/nonexistent/hc"])
    #expect(missing.status == 64)
    #expect(missing.stderr.contains("cannot read /nonexistent/hc"))
  }

  /// restic.env's `HC_BACKUP=file:PATH`: the variable names the file.
  @Test func aVariableNamingAFileReadsTheCheckFromIt() throws {
    let check = SecretLedger.newCheck()
    let server = try HealthchecksServer(checks: [check])
    let run = try HostileRun(hugeLine: false)
    defer { run.cleanUp() }
    let file = run.dir.appendingPathComponent("hc-backup").path
    try "\(check)\n".write(toFile: file, atomically: true, encoding: .utf8)
    chmod(file, 0o640)
    let result = try notifyUnit(
      ["--journal-file", run.path, "--hc-url", server.baseURL, "backup.service", "env:HC_BACKUP"],
      environment: run.outcomeEnvironment.merging(["HC_BACKUP": "file:\(file)"]) { $1 })
    #expect(result.status == 0, "\(result.stderr)")
    #expect(try server.requests().map(\.kind) == ["exit"])
    #expect(!result.stderr.contains(check))
  }
}
