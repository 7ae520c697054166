import Foundation
import TestSupport
import Testing

/// Fail closed: a config, check file, key file or journal file that cannot
/// be used, or a value refused, stops the run in clear lines before
/// anything is sent anywhere; no FIFO is waited on; a malformed invocation
/// ID is named, never replaced by the unit's latest run.
@Suite struct FailClosedTests {
  /// A sendmail that records that it ran, a Healthchecks stand-in, and the
  /// check as a whole URL on it: a run that sends anything is seen.
  struct Witnesses {
    let dir: URL
    let server: HealthchecksServer
    let checkURL: String
    let sendmail: String
    let sent: String

    init() throws {
      dir = try Paths.temporaryDirectory()
      chmod(dir.path, 0o755)
      let check = SecretLedger.newCheck()
      server = try HealthchecksServer(checks: [check])
      checkURL = "\(server.baseURL)/\(check)"
      sent = dir.appendingPathComponent("sendmail-ran").path
      sendmail = try Command.script(
        at: dir.appendingPathComponent("sendmail").path, "cat >>'\(sent)'")
    }

    var nothingSent: Bool {
      !FileManager.default.fileExists(atPath: sent) && ((try? server.requests().isEmpty) ?? false)
    }

    func file(_ name: String, _ text: String, mode: mode_t = 0o644) throws -> String {
      let path = dir.appendingPathComponent(name).path
      try text.write(toFile: path, atomically: false, encoding: .utf8)
      chmod(path, mode)
      return path
    }

    func fifo(_ name: String) -> String {
      let path = dir.appendingPathComponent(name).path
      mkfifo(path, 0o644)
      return path
    }

    func cleanUp() { try? FileManager.default.removeItem(at: dir) }
  }

  func report(
    _ w: Witnesses, _ run: HostileRun, config: String = "/dev/null", extra: [String] = [],
    check: String? = nil, environment: [String: String] = [:]
  ) throws -> CommandResult {
    try notifyUnit(
      [
        "--journal-file", run.path, "--mail-to", "admin@example.org", "--sendmail", w.sendmail,
        "--timeout", "10",
      ] + extra + ["backup.service", check ?? w.checkURL],
      environment: run.outcomeEnvironment.merging(environment) { $1 }, config: config,
      timeout: 30)
  }

  func errors(_ result: CommandResult) -> [Substring] {
    result.stderr.split(separator: "\n").filter { $0.hasPrefix("<3>notify-unit: ") }
  }

  @Test func aConfigThatCannotBeReadSendsNothing() throws {
    let w = try Witnesses()
    defer { w.cleanUp() }
    let run = try HostileRun(hugeLine: false)
    defer { run.cleanUp() }
    // The journal file nobody can read; root's 0600 config, which it cannot:
    // before, the defaults stood in for it.
    chmod(run.dir.path, 0o755)
    chmod(run.path, 0o644)
    let config = try w.file("notify-unit.conf", "HC_URL=\(w.server.baseURL)\n", mode: 0o600)
    let state = w.dir.appendingPathComponent("state").path
    mkdir(state, 0o700)
    chown(state, 65534, 65534)
    var env = run.outcomeEnvironment
    env["STATE_DIRECTORY"] = state
    let result = try Command.run(
      "/usr/bin/setpriv",
      PlantedFileTests.asNobody + [
        Paths.notifyUnit, "--config", config, "--journal-file", run.path, "--mail-to",
        "admin@example.org", "--sendmail", w.sendmail, "backup.service", w.checkURL,
      ], environment: env, timeout: 30)
    #expect(result.status == 78, "\(result.stderr)")
    #expect(errors(result).contains { $0.contains("cannot read \(config): Permission denied") })
    #expect(errors(result).last?.contains("nothing was sent: correct the settings") == true)
    #expect(
      errors(result).last?.contains("notify-unit resend --invocation-id \(run.invocation)") == true)
    #expect(w.nothingSent)
  }

  @Test func aFIFOIsRefusedAtOnceWhereverAFileIsNamed() throws {
    let w = try Witnesses()
    defer { w.cleanUp() }
    let run = try HostileRun(hugeLine: false)
    defer { run.cleanUp() }
    // Nobody ever writes to these FIFOs: an open that blocks would hang.
    let cases: [(config: String, extra: [String], check: String?, status: Int32, says: String)] = [
      (w.fifo("config.fifo"), [], nil, 78, "it is a FIFO, not a regular file"),
      (
        try w.file(
          "token.conf", "NTFY_URL=http://127.0.0.1:9/t\nNTFY_TOKEN_FILE=\(w.fifo("token.fifo"))\n"),
        [], nil, 78, "it is a FIFO, not a regular file"
      ),
      (
        try w.file("apprise.conf", "APPRISE_URLS=\(w.fifo("urls.fifo"))\n"), [], nil, 78,
        "it is a FIFO"
      ),
      ("/dev/null", ["--journal-file", w.fifo("journal.fifo")], nil, 66, "it is a FIFO"),
      ("/dev/null", [], "file:" + w.fifo("check.fifo"), 78, "it is a FIFO"),
    ]
    for c in cases {
      let result = try report(w, run, config: c.config, extra: c.extra, check: c.check)
      #expect(result.seconds < 10, "\(c.says): waited \(result.seconds) s")
      #expect(result.status == c.status, "\(result.stderr)")
      #expect(errors(result).contains { $0.contains(c.says) }, "\(result.stderr)")
    }
    #expect(w.nothingSent)
  }

  @Test func anOversizedOrNonTextConfigIsRefusedNotCut() throws {
    let w = try Witnesses()
    defer { w.cleanUp() }
    let run = try HostileRun(hugeLine: false)
    defer { run.cleanUp() }
    // Over 1 MiB: before, read to 1 MiB and cut mid-address (exit 0).
    let padding = String(repeating: "# padding\n", count: 110_000)
    let big = try w.file("big.conf", padding + "MAIL_TO=admin@example.org\n")
    let cut = try report(w, run, config: big)
    #expect(cut.status == 78)
    #expect(errors(cut).contains { $0.contains("longer than 1048576 bytes") }, "\(cut.stderr)")
    // A NUL: C's strtod read "7\0junk" as 7.
    let nul = try w.file("nul.conf", "TIMEOUT=7\u{0}junk\n")
    let read = try report(w, run, config: nul)
    #expect(read.status == 78)
    #expect(errors(read).contains { $0.contains("line 1: a NUL byte") }, "\(read.stderr)")
    #expect(w.nothingSent)
  }

  @Test func aRefusedValueIsNeverReplacedByTheDefault() throws {
    let w = try Witnesses()
    defer { w.cleanUp() }
    let run = try HostileRun(hugeLine: false)
    defer { run.cleanUp() }
    // A refused --state-directory used to fall back to the default one.
    let flag = try report(w, run, extra: ["--state-directory", "relative/state"])
    #expect(flag.status == 64, "\(flag.stderr)")
    #expect(errors(flag).contains { $0.contains("--state-directory: STATE_DIRECTORY must be") })
    #expect(errors(flag).last?.contains("nothing was sent") == true)
    // A bad line of the file: the rest was used, with TIMEOUT's default.
    let config = try w.file("bad.conf", "TIMEOUT=soon\nHC_URL=\(w.server.baseURL)\n")
    let line = try report(w, run, config: config)
    #expect(line.status == 78)
    #expect(errors(line).contains { $0.contains("bad.conf: line 1: TIMEOUT must be seconds") })
    #expect(w.nothingSent)
  }

  @Test func aFileThatIsNotAJournalIsAnError() throws {
    let w = try Witnesses()
    defer { w.cleanUp() }
    let run = try HostileRun(hugeLine: false)
    defer { run.cleanUp() }
    let result = try report(w, run, extra: ["--journal-file", "/etc/passwd"])
    #expect(result.status == 66, "\(result.stderr)")
    #expect(
      errors(result).contains { $0.contains("/etc/passwd") && $0.contains("a journal file?") })
    #expect(w.nothingSent)
  }

  @Test func aMalformedInvocationIDIsNamedNotReplaced() throws {
    let w = try Witnesses()
    defer { w.cleanUp() }
    let run = try HostileRun(hugeLine: false)
    defer { run.cleanUp() }
    for variable in ["INVOCATION_ID", "MONITOR_INVOCATION_ID"] {
      var env = ["INVOCATION_ID": "not-an-id"]
      if variable == "MONITOR_INVOCATION_ID" {
        env = [
          "SERVICE_RESULT": "", "MONITOR_SERVICE_RESULT": "exit-code",
          "MONITOR_EXIT_CODE": "exited", "MONITOR_EXIT_STATUS": "3",
          "MONITOR_INVOCATION_ID": "not-an-id",
        ]
      }
      let result = try notifyUnit(
        ["--dry-run", "--journal-file", run.path, "--mail-to", "a@b.org", "backup.service"],
        environment: run.outcomeEnvironment.merging(env) { $1 })
      #expect(result.status == 78, "\(result.stderr)")
      #expect(
        errors(result).contains { $0.contains("\(variable): \"not-an-id\" is not a 32-digit") },
        "\(result.stderr)")
      // Not the unit's latest run in its place.
      let mail = try ParsedMessage.parse(result.stdout)
      #expect(mail.body.contains("Log lines:     0"))
      #expect(!mail.body.contains("restic backup starting"))
    }
  }
}
