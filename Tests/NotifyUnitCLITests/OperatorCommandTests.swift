import Foundation
import TestSupport
import Testing

/// Runs `notify-unit SUBCOMMAND --config CONFIG ARGS...` (doctor, test,
/// status: the shared helper knows only the older subcommands), with a
/// state directory of its own unless one is given.
func operatorCommand(
  _ subcommand: String, _ arguments: [String], config: String = "/dev/null",
  environment: [String: String] = [:]
) throws -> CommandResult {
  var env = environment
  if env["STATE_DIRECTORY"] == nil {
    env["STATE_DIRECTORY"] =
      FileManager.default.temporaryDirectory
      .appendingPathComponent("notify-unit-state-\(UUID().uuidString)").path
  }
  let result = try Command.run(
    Paths.notifyUnit, [subcommand, "--config", config] + arguments, environment: env)
  if let state = env["STATE_DIRECTORY"] { SecretLedger.directoryTree(state, label: "state") }
  return result
}

/// `notify-unit doctor` against real peers: exim4 (its sendmail, and as an
/// SMTP daemon) and the loopback Healthchecks server.
@Suite struct DoctorTests {
  let check = SecretLedger.newCheck()

  func lines(_ result: CommandResult) -> [String] {
    result.stdoutText.split(separator: "\n").map(String.init)
  }

  @Test func aCorrectSetUpPassesEveryCheckAndSendsNoPing() throws {
    let server = try HealthchecksServer(checks: [check])
    let dir = try Paths.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let config = dir.appendingPathComponent("notify-unit.conf").path
    try "MAIL_TO=mail@localhost\nHC_URL=\(server.baseURL)/ping\n".write(
      toFile: config, atomically: true, encoding: .utf8)
    let result = try operatorCommand(
      "doctor", [], config: config,
      environment: ["STATE_DIRECTORY": dir.appendingPathComponent("state").path])
    #expect(result.status == 0, "\(result.stdoutText)\(result.stderr)")
    let out = lines(result)
    #expect(out.count == 9)
    #expect(out.dropLast().allSatisfy { $0.hasPrefix("✓ ") }, "\(out)")
    #expect(out.last == "all 8 checks passed")
    #expect(
      out.contains(
        "✓ Healthchecks transport: plain HTTP to this machine (127.0.0.1:\(server.port)), no network"
      ))
    #expect(out.contains("✓ mail: sendmail /usr/sbin/sendmail is there and executable"))
    #expect(
      out.contains { $0.hasPrefix("✓ Healthchecks: \(server.baseURL)/ping answered (HTTP 404)") })
    // The base URL only: no check was pinged.
    let requests = try server.requests()
    #expect(requests.map(\.path) == ["/ping"])
    #expect(requests.allSatisfy { $0.kind == "-" && $0.check != check })

    // Over SMTP instead: the relay's EHLO, no mail.
    let mta = try MTADaemon()
    try "MAIL_TO=mail@localhost\nHC_URL=\(server.baseURL)/ping\nSMTP_URL=\(mta.url)\n".write(
      toFile: config, atomically: true, encoding: .utf8)
    let smtp = try operatorCommand("doctor", [], config: config)
    #expect(smtp.status == 0, "\(smtp.stdoutText)\(smtp.stderr)")
    #expect(lines(smtp).contains("✓ mail: SMTP relay \(mta.url) answered EHLO (reply 250)"))
  }

  /// Each channel's transport, with no secret in it; credentials in a
  /// config others can read are a warning.
  @Test func doctorSaysHowEachChannelTravels() throws {
    let dir = try Paths.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let config = dir.appendingPathComponent("notify-unit.conf").path
    let password = SecretLedger.newCheck()
    let topic = SecretLedger.newCheck()
    try """
    MAIL_TO=mail@localhost
    SMTP_URL=smtps://u:\(password)@relay.invalid
    HC_URL=https://hc.invalid/ping
    NTFY_URL=https://ntfy.invalid/\(topic)
    WEBHOOK_URL=http://127.0.0.1:9/hook/\(topic)

    """.write(toFile: config, atomically: true, encoding: .utf8)
    chmod(config, 0o644)
    let result = try operatorCommand("doctor", ["--probe-timeout", "1"], config: config)
    let out = lines(result)
    #expect(
      out.contains(
        "⚠ config: \(config) holds credentials (SMTP_URL, NTFY_URL, WEBHOOK_URL) and other users can read it — fix: chmod 0600 \(config), or move them to a file of their own with SMTP_URL_FILE="
      ), "\(out)")
    #expect(out.contains("✓ mail transport: smtps://…@relay.invalid: SMTP over TLS"), "\(out)")
    #expect(out.contains("✓ Healthchecks transport: HTTPS to hc.invalid"))
    #expect(out.contains("✓ ntfy transport: HTTPS to ntfy.invalid"))
    #expect(
      out.contains("✓ webhook transport: plain HTTP to this machine (127.0.0.1:9), no network"))
    #expect(!result.stdoutText.contains(password) && !result.stdoutText.contains(topic))
    chmod(config, 0o600)
    let closed = try operatorCommand("doctor", ["--probe-timeout", "1"], config: config)
    #expect(!lines(closed).contains { $0.contains("other users can read it") })
  }

  /// The textfile directory as a report would use it: a missing one, and
  /// one others can write to without the sticky bit, fail with the fix.
  @Test func doctorChecksTheTextfileDirectory() throws {
    let dir = try Paths.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let textfile = dir.appendingPathComponent("textfile").path
    let config = dir.appendingPathComponent("notify-unit.conf").path
    try "MAIL_TO=mail@localhost\nPROMETHEUS_TEXTFILE_DIRECTORY=\(textfile)\n".write(
      toFile: config, atomically: true, encoding: .utf8)
    func metricsLine() throws -> String? {
      lines(try operatorCommand("doctor", [], config: config)).first { $0.contains(" metrics: ") }
    }
    #expect(try metricsLine()?.hasPrefix("✗ metrics: cannot") == true)
    mkdir(textfile, 0o755)
    #expect(try metricsLine() == "✓ metrics: \(textfile) can take the unit's metrics files")
    chmod(textfile, 0o777)
    let open = try metricsLine() ?? ""
    #expect(
      open.hasPrefix("✗ metrics: ") && open.contains("writable by group or others"), "\(open)")
    chmod(textfile, 0o1777)
    #expect(try metricsLine()?.hasPrefix("✓ metrics: ") == true)
  }

  @Test func brokenSetUpsFailWithTheirFix() throws {
    let server = try HealthchecksServer(checks: [check])
    let dir = try Paths.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let config = dir.appendingPathComponent("notify-unit.conf").path
    let file = dir.appendingPathComponent("a-file").path
    try "".write(toFile: file, atomically: true, encoding: .utf8)
    try """
    MAIL_TO=mail@localhost
    MAIL_T0=other@localhost
    SENDMAIL=\(dir.path)/no-such-sendmail
    HC_URL=\(server.baseURL)/ping

    """.write(toFile: config, atomically: true, encoding: .utf8)
    let result = try operatorCommand(
      "doctor", [], config: config, environment: ["STATE_DIRECTORY": file + "/state"])
    #expect(result.status == 1, "\(result.stdoutText)\(result.stderr)")
    let out = lines(result)
    #expect(
      out.contains(
        "✗ config: \(config): line 2: unknown setting MAIL_T0 (did you mean MAIL_TO?) — fix: write MAIL_TO instead; nothing is sent until then"
      ), "\(out)")
    #expect(
      out.contains {
        $0.hasPrefix(
          "✗ mail: sendmail \(dir.path)/no-such-sendmail does not exist — fix: install an MTA")
      }, "\(out)")
    #expect(
      out.contains {
        $0.hasPrefix(
          "✗ state directory: \(file)/state cannot be made: \(file) is not a directory — fix: ")
      }, "\(out)")
    #expect(out.last == "3 of 8 checks failed")

    // A relay that does not listen.
    let port = try MTADaemon.freePort()
    try "MAIL_TO=mail@localhost\nHC_URL=\(server.baseURL)/ping\nSMTP_URL=smtp://127.0.0.1:\(port)\n"
      .write(toFile: config, atomically: true, encoding: .utf8)
    let smtp = try operatorCommand("doctor", ["--probe-timeout", "5"], config: config)
    #expect(smtp.status == 1)
    #expect(
      lines(smtp).contains {
        $0.hasPrefix("✗ mail: SMTP relay not usable: smtp://127.0.0.1:\(port): ")
          && $0.hasSuffix(
            "— fix: start the relay (systemctl start exim4), or correct host and port in SMTP_URL")
      }, "\(smtp.stdoutText)")
    // And a Healthchecks that is gone, as the only fault.
    try "MAIL_TO=mail@localhost\nHC_URL=http://127.0.0.1:\(port)/ping\n".write(
      toFile: config, atomically: true, encoding: .utf8)
    let hc = try operatorCommand("doctor", ["--probe-timeout", "5"], config: config)
    #expect(hc.status == 1)
    #expect(lines(hc).filter { $0.hasPrefix("✗ ") }.count == 1)
    #expect(
      lines(hc).contains {
        $0.hasPrefix("✗ Healthchecks: http://127.0.0.1:\(port)/ping cannot be reached")
      })
  }
}

extension DoctorTests {
  /// A local recipient passes and is shown as the MTA gets it; an address
  /// that is none says which forms would do.
  @Test func aBadAddressNamesTheFormsThatWouldDo() throws {
    let dir = try Paths.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let config = dir.appendingPathComponent("notify-unit.conf").path
    try "MAIL_TO=root, admin@example.org\nMAIL_FROM=backup <backup@>\n".write(
      toFile: config, atomically: true, encoding: .utf8)
    let result = try operatorCommand(
      "doctor", ["--probe-timeout", "1"], config: config,
      environment: ["STATE_DIRECTORY": dir.appendingPathComponent("state").path])
    let out = lines(result)
    #expect(out.contains { $0.hasPrefix("✓ mail: reports go to root (local: root@") }, "\(out)")
    let line = try #require(out.first { $0.hasPrefix("✗ config: \(config): line 2: ") }, "\(out)")
    let fix = try #require(line.split(separator: " — fix: ").last)
    for form in ["user@example.org", "Name <user@example.org>", "a local name such as root"] {
      #expect(fix.contains(form), "\(line)")
    }
  }
}

extension DoctorTests {
  /// MAIL_TO and nothing for Healthchecks: all pass, and hc-ping.com is not
  /// asked (every HTTP request would go to a proxy that is not there).
  @Test func aMailOnlySetUpPassesWithoutProbingHealthchecks() throws {
    let dir = try Paths.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let config = dir.appendingPathComponent("notify-unit.conf").path
    try "MAIL_TO=mail@localhost\n".write(toFile: config, atomically: true, encoding: .utf8)
    let port = try MTADaemon.freePort()
    let proxy = "http://127.0.0.1:\(port)"
    var environment = ["STATE_DIRECTORY": dir.appendingPathComponent("state").path]
    for name in ["https_proxy", "http_proxy", "HTTPS_PROXY", "ALL_PROXY"] {
      environment[name] = proxy
    }
    let result = try operatorCommand(
      "doctor", ["--probe-timeout", "2"], config: config, environment: environment)
    #expect(result.status == 0, "\(result.stdoutText)\(result.stderr)")
    #expect(
      lines(result).contains { $0.hasPrefix("✓ Healthchecks: no HC_URL in \(config): not probed") },
      "\(result.stdoutText)")

    // With HC_URL set, it is probed (through that proxy, so it fails).
    try "MAIL_TO=mail@localhost\nHC_URL=https://hc.example.org/ping\n".write(
      toFile: config, atomically: true, encoding: .utf8)
    let probed = try operatorCommand(
      "doctor", ["--probe-timeout", "2"], config: config, environment: environment)
    #expect(probed.status == 1)
    #expect(lines(probed).contains { $0.hasPrefix("✗ Healthchecks: https://hc.example.org/ping") })
  }
}

/// `notify-unit test`: a marked mail into a real mailbox, a /log ping.
@Suite struct TestCommandTests {
  let check = SecretLedger.newCheck()

  @Test func aMarkedMailReachesTheMailboxAndTheLogPingTheServer() throws {
    let server = try HealthchecksServer(checks: [check])
    let result = try operatorCommand(
      "test",
      ["--mail-to", "mail@localhost", "--hc-url", server.baseURL + "/ping", "--ping", check])
    #expect(result.status == 0, "\(result.stdoutText)\(result.stderr)")
    let out = result.stdoutText
    #expect(!out.contains(check) && !result.stderr.contains(check))
    // "test mail <ID> handed to /usr/sbin/sendmail for mail@localhost"
    let id = try #require(
      out.split(separator: "\n").first { $0.hasPrefix("test mail <") }?.split(separator: " ")
        .dropFirst(2).first.map(String.init))
    #expect(out.contains("test mail \(id) handed to /usr/sbin/sendmail for mail@localhost"))
    var mail: ParsedMessage? = nil
    for _ in 0..<150 where mail == nil {
      mail = try mboxMessages(DeliveryTests.mailbox).map(ParsedMessage.parse).first {
        $0.headers["Message-ID"] == id
      }
      if mail == nil { usleep(200_000) }
    }
    let delivered = try #require(mail, "the test mail did not reach \(DeliveryTests.mailbox)")
    #expect(delivered.headers["Subject"]?.hasPrefix("[TEST] notify-unit test mail from ") == true)
    #expect(delivered.headers["X-Notify-Unit-Test"] == "yes")
    #expect(delivered.body.contains("Nothing ran and nothing failed."))

    let pings = try server.requests()
    #expect(pings.count == 1)
    let ping = try #require(pings.first)
    #expect(ping.path.hasSuffix("/log"))
    #expect(ping.kind == "log" && ping.check == check)
    #expect(out.contains("test ping delivered to \(server.baseURL)/ping/\(check.prefix(4))…/log"))
  }

  @Test func nothingToTestIsAUsageError() throws {
    let result = try operatorCommand("test", [])
    #expect(result.status == 64)
    #expect(result.stderr.contains("nothing to test"))
  }
}

/// `notify-unit status` and `flush --dry-run`, after runs that really
/// delivered and one whose mail waits in the spool.
@Suite struct StatusTests {
  @Test func statusShowsRunsAndTheSpoolAndFlushDryRunSendsNothing() throws {
    let run = try HostileRun(hugeLine: false)
    defer { run.cleanUp() }
    let state = run.dir.appendingPathComponent("state").path
    let delivered = "status-\(UUID().uuidString.prefix(8).lowercased()).service"
    let spooled = "spooled-\(UUID().uuidString.prefix(8).lowercased()).service"
    var env = run.outcomeEnvironment
    env["STATE_DIRECTORY"] = state
    let first = try notifyUnit(
      ["--journal-file", run.path, "--mail-to", "mail@localhost", delivered], environment: env)
    #expect(first.status == 0, "\(first.stderr)")
    #expect(try DeliveryTests().delivered(unit: delivered).count == 1)
    let tempfail = try Command.script(
      at: run.dir.appendingPathComponent("tempfail").path, "cat >/dev/null\nexit 75")
    let second = try notifyUnit(
      ["--journal-file", run.path, "--mail-to", "mail@localhost", "--sendmail", tempfail, spooled],
      environment: env)
    #expect(second.status == 0, "\(second.stderr)")

    let text = try operatorCommand("status", [], environment: ["STATE_DIRECTORY": state])
    #expect(text.status == 0, "\(text.stderr)")
    let lines = text.stdoutText.split(separator: "\n").map(String.init)
    #expect(lines.first == "Units reported (state directory \(state)):")
    #expect(lines.contains { $0.hasPrefix("  \(delivered): failed (exit-code), ") }, "\(lines)")
    #expect(lines.contains { $0.hasPrefix("  \(spooled): failed (exit-code), ") })
    #expect(lines.contains("Waiting in the spool (1):"))
    #expect(
      lines.contains {
        $0.hasPrefix("  mail of \(spooled) to /usr/sbin/sendmail, due ")
          && $0.hasSuffix("): sendmail exited with status 75 (EX_TEMPFAIL: try again later)")
      }, "\(lines)")

    let json = try operatorCommand("status", ["--json"], environment: ["STATE_DIRECTORY": state])
    #expect(json.status == 0)
    let object = try #require(try JSONSerialization.jsonObject(with: json.stdout) as? [String: Any])
    #expect(object["state_directory"] as? String == state)
    let units = try #require(object["units"] as? [[String: Any]])
    #expect(Set(units.compactMap { $0["unit"] as? String }) == [delivered, spooled])
    #expect(
      units.allSatisfy { $0["success"] as? Bool == false && $0["result"] as? String == "exit-code" }
    )
    #expect(units.allSatisfy { ($0["invocation_id"] as? String) == run.invocation })
    let spool = try #require(object["spool"] as? [[String: Any]])
    #expect(spool.count == 1)
    #expect(spool.first?["kind"] as? String == "mail")
    #expect(spool.first?["unit"] as? String == spooled)
    #expect(
      (spool.first?["reason"] as? String)?.hasPrefix("sendmail exited with status 75") == true)
    #expect(((spool.first?["age_seconds"] as? Int) ?? -1) >= 0)

    // flush --dry-run lists it and sends nothing, through a sendmail that
    // would take it; the real flush then does send it.
    let marker = run.dir.appendingPathComponent("sendmail-ran").path
    let recording = try Command.script(
      at: run.dir.appendingPathComponent("recording").path, "cat >/dev/null\ntouch \(marker)")
    let config = run.dir.appendingPathComponent("flush.conf").path
    try "SENDMAIL=\(recording)\n".write(toFile: config, atomically: true, encoding: .utf8)
    let dry = try notifyUnit(["flush", "--dry-run", "--state-directory", state], config: config)
    #expect(dry.status == 0, "\(dry.stderr)")
    #expect(
      dry.stdoutText.hasPrefix(
        "Would send 1 report(s) from \(state)/spool:\n  mail of \(spooled) to \(recording), due "))
    #expect(dry.stdoutText.contains("sendmail exited with status 75"))
    #expect(!FileManager.default.fileExists(atPath: marker))
    let entries = try FileManager.default.contentsOfDirectory(atPath: state + "/spool")
    #expect(entries.filter { !$0.hasSuffix(".reason") }.count == 1)
    let flush = try notifyUnit(["flush", "--state-directory", state], config: config)
    #expect(flush.status == 0, "\(flush.stderr)")
    #expect(FileManager.default.fileExists(atPath: marker))
    let after = try notifyUnit(["flush", "--dry-run", "--state-directory", state], config: config)
    #expect(after.stdoutText == "Nothing to send: the spool in \(state) is empty.\n")
  }

  /// Run as a user who cannot read the state directory (a sysadmin's own
  /// shell beside /var/lib/notify-unit/restic): an error naming it, never
  /// "nothing reported, nothing waiting".
  @Test func aStateDirectoryThatCannotBeReadIsAnErrorNotAnEmptyList() throws {
    let dir = try Paths.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    chmod(dir.path, 0o755)
    let state = dir.appendingPathComponent("state").path
    try FileManager.default.createDirectory(
      atPath: state + "/spool", withIntermediateDirectories: true)
    try "x".write(
      toFile: state + "/spool/00000000000000000001-mail-a.service", atomically: false,
      encoding: .utf8)
    chmod(state, 0o700)
    let asNobody = ["--reuid=65534", "--regid=65534", "--clear-groups", "--"]
    for arguments in [["status"], ["flush", "--dry-run"]] {
      let result = try Command.run(
        "/usr/bin/setpriv",
        asNobody + [Paths.notifyUnit] + arguments + [
          "--config", "/dev/null", "--state-directory", state,
        ])
      #expect(result.status == 66, "\(arguments): \(result.stderr)")
      #expect(result.stdoutText.isEmpty, "\(result.stdoutText)")
      #expect(
        result.stderr.hasPrefix(
          "<3>notify-unit: cannot use the state directory \(state): Permission denied"),
        "\(result.stderr)")
    }
    // Its owner sees the entry.
    let owner = try operatorCommand("status", [], environment: ["STATE_DIRECTORY": state])
    #expect(
      owner.status == 0 && owner.stdoutText.contains("Waiting in the spool (1):"),
      "\(owner.stdoutText)")
  }
}

extension StatusTests {
  /// Root's /var/lib/notify-unit holds each reporting user's state directory
  /// (the shipped units' StateDirectory=notify-unit/restic): status shows
  /// what backup.service left there, and flush stays with its own spool.
  @Test func theStateDirectoriesInsideTheSharedOneAreShown() throws {
    let run = try HostileRun(hugeLine: false)
    defer { run.cleanUp() }
    let base = run.dir.appendingPathComponent("notify-unit").path
    let restic = base + "/restic"
    try FileManager.default.createDirectory(
      atPath: base + "/empty-user", withIntermediateDirectories: true)
    // Nothing reported anywhere yet: one line naming every directory.
    let none = try operatorCommand("status", [], environment: ["STATE_DIRECTORY": base])
    #expect(
      none.stdoutText
        == "No unit reported yet (state directories \(base), \(base)/empty-user).\nNothing waits in the spool.\n",
      "\(none.stdoutText)")

    let unit = "backup-\(UUID().uuidString.prefix(8).lowercased()).service"
    let tempfail = try Command.script(
      at: run.dir.appendingPathComponent("tempfail").path, "cat >/dev/null\nexit 75")
    var env = run.outcomeEnvironment
    env["STATE_DIRECTORY"] = restic
    let report = try notifyUnit(
      ["--journal-file", run.path, "--mail-to", "mail@localhost", "--sendmail", tempfail, unit],
      environment: env)
    #expect(report.status == 0, "\(report.stderr)")

    let text = try operatorCommand("status", [], environment: ["STATE_DIRECTORY": base])
    #expect(text.status == 0, "\(text.stderr)")
    let lines = text.stdoutText.split(separator: "\n").map(String.init)
    // Only the directory that holds something.
    #expect(lines.first == "Units reported (state directory \(restic)):", "\(lines)")
    #expect(lines.contains { $0.hasPrefix("  \(unit): failed (exit-code), ") }, "\(lines)")
    #expect(lines.contains("Waiting in the spool (1):"))
    #expect(!text.stdoutText.contains("empty-user"))

    let json = try operatorCommand("status", ["--json"], environment: ["STATE_DIRECTORY": base])
    let object = try #require(try JSONSerialization.jsonObject(with: json.stdout) as? [String: Any])
    #expect(object["state_directory"] as? String == base)
    #expect(object["state_directories"] as? [String] == [base, base + "/empty-user", restic])
    let units = try #require(object["units"] as? [[String: Any]])
    #expect(units.map { $0["unit"] as? String } == [unit])
    #expect(units.first?["state_directory"] as? String == restic)
    let spool = try #require(object["spool"] as? [[String: Any]])
    #expect(spool.first?["state_directory"] as? String == restic)

    // flush --dry-run: the asked directory's spool only.
    let dry = try notifyUnit(["flush", "--dry-run", "--state-directory", base])
    #expect(dry.stdoutText == "Nothing to send: the spool in \(base) is empty.\n")

    // A user who may read the shared directory but not restic's: shown
    // without it, and said.
    chmod(run.dir.path, 0o755)
    chmod(base, 0o755)
    chmod(restic, 0o700)
    let asNobody = try Command.run(
      "/usr/bin/setpriv",
      ["--reuid=65534", "--regid=65534", "--clear-groups", "--", Paths.notifyUnit, "status"]
        + ["--config", "/dev/null", "--state-directory", base])
    #expect(asNobody.status == 0, "\(asNobody.stderr)")
    #expect(asNobody.stdoutText.hasPrefix("No unit reported yet"), "\(asNobody.stdoutText)")
    #expect(
      asNobody.stderr.contains("cannot use the state directory \(restic)"), "\(asNobody.stderr)")
  }
}
