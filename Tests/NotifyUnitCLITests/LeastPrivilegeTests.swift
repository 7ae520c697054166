import Foundation
import TestSupport
import Testing

/// Secrets kept off command lines and out of files others can read, and
/// no privilege kept that notify-unit does not need.
@Suite struct LeastPrivilegeTests {
  let check = SecretLedger.newCheck()

  /// `env:NAME`: the check comes from the unit's environment (restic.env),
  /// which only its user and root can read; a command line every user can.
  @Test func theCheckComesFromTheEnvironment() throws {
    let server = try HealthchecksServer(checks: [check])
    let run = try HostileRun(hugeLine: false)
    defer { run.cleanUp() }
    var environment = run.outcomeEnvironment
    environment["HC_TEST_CHECK"] = check
    let result = try notifyUnit(
      [
        "--journal-file", run.path, "--hc-url", server.baseURL, "backup.service",
        "env:HC_TEST_CHECK",
      ],
      environment: environment)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(try server.requests().map(\.check) == [check])
    #expect(!result.stderr.contains(check))
    // Unset or empty: no ping, as an empty $HC_BACKUP gave no argument.
    try server.reset()
    environment["HC_TEST_CHECK"] = ""
    let empty = try notifyUnit(
      ["start", "--hc-url", server.baseURL, "backup.service", "env:HC_TEST_CHECK"],
      environment: environment)
    // Allowed, but said: one line naming the variable.
    #expect(empty.status == 0, "\(empty.stderr)")
    #expect(
      empty.stderr
        == "<4>notify-unit: CHECK env:HC_TEST_CHECK: HC_TEST_CHECK is not set or empty, so no ping is sent\n",
      "\(empty.stderr)")
    #expect(try server.requests().isEmpty)
    let bad = try notifyUnit(["start", "backup.service", "env:"], environment: environment)
    #expect(bad.status == 64 && bad.stderr.contains("names no variable"))
  }

  /// `HC_URL_FILE=` / `SMTP_URL_FILE=`: credentials in a file of their own;
  /// credentials in a config file others can read draw a warning.
  @Test func credentialsComeFromAFileAndAReadableConfigIsWarnedAbout() throws {
    let server = try HealthchecksServer(checks: [check])
    let run = try HostileRun(hugeLine: false)
    defer { run.cleanUp() }
    let secretFile = run.dir.appendingPathComponent("hc-url").path
    let password = SecretLedger.secret("pass-\(check.prefix(8))")
    let withUser = server.baseURL.replacingOccurrences(
      of: "http://", with: "http://ping-user:\(password)@")
    try "\(withUser)\n".write(toFile: secretFile, atomically: true, encoding: .utf8)
    chmod(secretFile, 0o600)
    let config = run.dir.appendingPathComponent("notify-unit.conf").path
    try "HC_URL_FILE=\(secretFile)\n".write(toFile: config, atomically: true, encoding: .utf8)
    chmod(config, 0o644)
    let fromFile = try notifyUnit(
      ["--journal-file", run.path, "backup.service", check], environment: run.outcomeEnvironment,
      config: config)
    #expect(fromFile.status == 0, "\(fromFile.stderr)")
    let ping = try #require(try server.requests().first)
    #expect(ping.headers["authorization"]?.hasPrefix("Basic ") == true)
    #expect(!fromFile.stderr.contains(password) && !fromFile.stderr.contains("other users"))

    // The same credentials written into a config file others can read.
    try "SMTP_URL=smtp://relay:\(password)@127.0.0.1:1\nHC_URL=\(withUser)\n".write(
      toFile: config, atomically: true, encoding: .utf8)
    for (mode, warned) in [(0o640, true), (0o600, false)] {
      chmod(config, mode_t(mode))
      let inline = try notifyUnit(
        ["--dry-run", "--journal-file", run.path, "backup.service", check],
        environment: run.outcomeEnvironment, config: config)
      #expect(
        inline.stderr.contains("holds credentials (SMTP_URL, HC_URL) and other users can read it")
          == warned, "\(inline.stderr)")
      #expect(!inline.stderr.contains(password) && !inline.stdoutText.contains(password))
    }
  }

  /// Run with an ambient capability (an ExecStopPost= of backup.service,
  /// whose restic needs CAP_DAC_READ_SEARCH), notify-unit gives it up
  /// first: a journal file only root may read stays unread.
  @Test func inheritedCapabilitiesAreDroppedFirst() throws {
    let run = try HostileRun(hugeLine: false)
    defer { run.cleanUp() }
    chmod(run.dir.path, 0o755)
    chmod(run.path, 0o600)
    let asNobody = [
      "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=+dac_read_search",
      "--ambient-caps=+dac_read_search", "--",
    ]
    // The capability is really there: another program reads the file with it.
    let control = try Command.run(
      "/usr/bin/setpriv", asNobody + ["/usr/bin/head", "-c", "8", run.path])
    #expect(control.status == 0 && control.stdoutText == "LPKSHHRH", "\(control.stderr)")
    let result = try Command.run(
      "/usr/bin/setpriv",
      asNobody + [
        Paths.notifyUnit, "--config", "/dev/null", "--dry-run", "--state-directory",
        run.dir.appendingPathComponent("state").path, "--journal-file", run.path,
        "--invocation-id", run.invocation, "--mail-to", "a@example.org", "backup.service",
      ], environment: run.outcomeEnvironment)
    // Without the capability the file cannot be opened: refused (66), named.
    #expect(result.status == 66, "\(result.stderr)")
    #expect(
      result.stderr.contains("cannot open \(run.path): Permission denied"), "\(result.stderr)")
    #expect(!result.stdoutText.contains("the very last line"))
  }

  /// The other forms of a check: a ping key with a slug, and a full ping
  /// URL; neither is shown whole, on the way out or in the mail.
  @Test(arguments: ["pingkey", "url"])
  func pingKeysAndURLsAreMaskedToo(form: String) throws {
    let run = try HostileRun(hugeLine: false)
    defer { run.cleanUp() }
    let key = SecretLedger.secret(
      String(UUID().uuidString.lowercased().filter { $0 != "-" }.prefix(22)))
    let check =
      form == "pingkey"
      ? "\(key)/nightly-backup" : "https://hc.example.org/ping/\(key)/nightly-backup"
    let result = try notifyUnit(
      [
        "--dry-run", "--journal-file", run.path, "--mail-to", "a@example.org", "backup.service",
        check,
      ],
      environment: run.outcomeEnvironment)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stderr.contains("ping: POST "))
    #expect(
      result.stderr.contains("\(key.prefix(4))…/nightly-backup/3?rid="), "\(result.stderr)")
    #expect(!result.stderr.contains(key) && !result.stdoutText.contains(key))
  }
}
