import Foundation
import TestSupport
import Testing

/// Each fault end to end: the exit status, the time taken (never past the
/// deadline), and that the report was delivered, or spooled and then
/// delivered by the next flush once the peer is back. Each case prints one
/// line "FAULT name: exit N in T s, ..." (the numbers of the issue's note).
@Suite struct FaultMatrixTests {
  let check = SecretLedger.newCheck()

  /// One run of a case: its own journal, config, state directory, unit.
  final class Case: @unchecked Sendable {  // immutable after init
    let run: HostileRun
    let unit = "fault-\(UUID().uuidString.prefix(8).lowercased()).service"
    let config: URL
    let state: URL

    init() throws {
      run = try HostileRun(hugeLine: false)
      config = run.dir.appendingPathComponent("notify-unit.conf")
      state = run.dir.appendingPathComponent("state")
    }

    func configure(_ lines: String) throws {
      try ("MAIL_TO=mail@localhost\nMAIL_ON=always\n" + lines + "\n").write(
        to: config, atomically: true, encoding: .utf8)
    }

    func script(_ name: String, _ body: String) throws -> String {
      try Command.script(at: run.dir.appendingPathComponent(name).path, body)
    }

    func report(_ extra: [String] = [], check: String? = nil) throws -> CommandResult {
      try notifyUnit(
        ["--journal-file", run.path] + extra + [unit] + (check.map { [$0] } ?? []),
        environment: run.outcomeEnvironment.merging(["STATE_DIRECTORY": state.path]) { $1 },
        config: config.path)
    }

    func flush() throws -> CommandResult {
      try notifyUnit(["flush", "--state-directory", state.path], config: config.path)
    }

    var spooled: [String] {
      ((try? FileManager.default.contentsOfDirectory(atPath: state.path + "/spool")) ?? [])
        .filter { !$0.hasSuffix(".reason") }
    }

    func mails() throws -> Int { try DeliveryTests().delivered(unit: unit, timeout: 15).count }

    func say(_ name: String, _ result: CommandResult, _ what: String) {
      print(
        "FAULT \(name): exit \(result.status) in \(String(format: "%.2f", result.seconds)) s, \(what)"
      )
    }
  }

  @Test(arguments: [
    ("sendmail missing", "SENDMAIL=/nonexistent/sendmail", Int32(69)),
    ("sendmail exits 75", "SENDMAIL=@exit75", Int32(0)),
    ("sendmail exits 69", "SENDMAIL=@exit69", Int32(69)),
    ("sendmail hangs", "SENDMAIL=@hang\nTIMEOUT=5", Int32(0)),
  ])
  func mailFaults(name: String, setting: String, status: Int32) throws {
    let c = try Case()
    defer { c.run.cleanUp() }
    var line = setting
    if setting.contains("@exit75") {
      line = "SENDMAIL=" + (try c.script("sm", "cat >/dev/null; exit 75"))
    }
    if setting.contains("@exit69") {
      line = "SENDMAIL=" + (try c.script("sm", "cat >/dev/null; exit 69"))
    }
    if setting.contains("@hang") {
      line = "SENDMAIL=" + (try c.script("sm", "exec sleep 60")) + "\nTIMEOUT=5"
    }
    try c.configure(line)
    let result = try c.report()
    #expect(result.status == status, "\(result.stderr)")
    // Generous: the hanging sendmail sleeps 60 s, so anything well under
    // that shows TIMEOUT=5 held; a loaded two-core machine may be slow.
    #expect(result.seconds < 30)
    #expect(c.spooled.count == 1)
    // The relay is back.
    try c.configure("SENDMAIL=/usr/sbin/sendmail")
    let flush = try c.flush()
    #expect(flush.status == 0 && c.spooled.isEmpty, "\(flush.stderr)")
    #expect(try c.mails() == 1)
    c.say(name, result, "spooled; delivered by the next flush")
  }

  @Test func healthchecksRefusingConnectionsThenBack() throws {
    let c = try Case()
    defer { c.run.cleanUp() }
    let port: Int
    do { port = try HealthchecksServer(checks: []).port }  // free, then closed
    try c.configure("HC_URL=http://127.0.0.1:\(port)\nPING_RETRIES=2")
    let result = try c.report(check: check)
    #expect(result.status == 0)
    #expect(c.spooled.count == 1)
    let server = try HealthchecksServer(checks: [check], port: port)
    let flush = try c.flush()
    #expect(flush.status == 0 && c.spooled.isEmpty, "\(flush.stderr)")
    let ping = try #require(try server.requests().first)
    #expect(
      ping.kind == "exit" && ping.exitStatus == 3
        && ping.rid?.replacingOccurrences(of: "-", with: "") == c.run.invocation)
    c.say("healthchecks refusing connections", result, "ping spooled; delivered by the next flush")
  }

  @Test(arguments: [
    ("healthchecks 500", Int32(0), true), ("healthchecks 503 + Retry-After", Int32(0), false),
    ("healthchecks 429", Int32(0), false), ("healthchecks stalling", Int32(0), true),
  ])
  func healthchecksFaults(name: String, status: Int32, spools: Bool) throws {
    let c = try Case()
    defer { c.run.cleanUp() }
    let server = try HealthchecksServer(checks: [check])
    // A finish ping that can wait in the spool gets two quick tries (the
    // unit's stop is not held for retries): two faults spool it.
    let faults: [[String: Any]] =
      switch name {
      case "healthchecks 500": Array(repeating: ["status": 500], count: 2)
      case "healthchecks 503 + Retry-After": [["status": 503, "retry_after": "1"]]
      case "healthchecks 429": [["status": 429]]
      default: Array(repeating: ["stall": 8.0], count: 2)
      }
    try server.inject(faults)
    try c.configure("HC_URL=\(server.baseURL)\nPING_RETRIES=2\nPING_TIMEOUT=1\nTIMEOUT=10")
    let result = try c.report(check: check)
    #expect(result.status == status, "\(result.stderr)")
    // Generous: three stalls of 8 s would take 24 s without TIMEOUT=10;
    // a loaded two-core machine may be slow to start the process.
    #expect(result.seconds < 20)
    #expect(c.spooled.count == (spools ? 1 : 0))
    if name.contains("Retry-After") { #expect(result.seconds >= 1) }
    if spools {
      let flush = try c.flush()
      #expect(flush.status == 0 && c.spooled.isEmpty, "\(flush.stderr)")
    }
    let delivered = try server.requests().filter { $0.status == .code(200) }
    #expect(delivered.count == 1)
    c.say(
      name, result,
      spools ? "ping spooled; delivered by the next flush" : "ping delivered after retries")
  }

  @Test func unknownCheckAndDNSFailure() throws {
    let c = try Case()
    defer { c.run.cleanUp() }
    let server = try HealthchecksServer(checks: [])
    try c.configure("HC_URL=\(server.baseURL)")
    let unknown = try c.report(check: check)
    #expect(unknown.status == 69 && c.spooled.isEmpty)
    c.say("healthchecks 404 (unknown check)", unknown, "not retried, not spooled: loud")
    try c.configure("HC_URL=https://hc.example.invalid\nPING_RETRIES=1")
    let dns = try c.report(check: check)
    #expect(dns.status == 0 && c.spooled.count == 1)
    // Generous: only a hang (no deadline) would come near a minute.
    #expect(dns.seconds < 45)
    c.say("DNS failure", dns, "ping spooled")
  }

  @Test func journalUnreadableOrEmpty() throws {
    let c = try Case()
    defer { c.run.cleanUp() }
    try c.configure("")
    // A journal directory the user running notify-unit cannot read.
    let locked = c.run.dir.appendingPathComponent("locked")
    try FileManager.default.createDirectory(at: locked, withIntermediateDirectories: true)
    chmod(locked.path, 0o700)
    chmod(c.run.dir.path, 0o755)
    let asNobody = try Command.run(
      "/usr/bin/setpriv",
      [
        "--reuid=nobody", "--regid=nogroup", "--clear-groups", Paths.notifyUnit, "--config",
        "/dev/null",
        "--dry-run", "--journal-directory", locked.path, "--invocation-id", c.run.invocation,
        "--mail-to", "a@b.org", "--state-directory", "/tmp", c.unit,
      ])
    // Named with the reason, and refused: a report without its log is not
    // what was asked for (EX_NOINPUT).
    #expect(asNobody.status == 66, "\(asNobody.stderr)")
    #expect(asNobody.stderr.contains("cannot open \(locked.path): Permission denied"))
    #expect(asNobody.stdout.isEmpty)
    c.say("journal unreadable", asNobody, "refused, the directory named")
    let empty = try c.report(["--invocation-id", JournalFixture.newInvocation()])
    #expect(empty.status == 0)
    #expect(try c.mails() == 1)
    c.say("journal empty", empty, "delivered: \"No log lines were found\"")
  }

  @Test func stateDirectoryReadOnlyOrFull() throws {
    let c = try Case()
    defer { c.run.cleanUp() }
    try c.configure("")
    for (name, options) in [("read-only", "ro,size=1m"), ("full", "size=4k")] {
      let mount = c.run.dir.appendingPathComponent(name)
      try FileManager.default.createDirectory(at: mount, withIntermediateDirectories: true)
      #expect(
        try Command.run("/bin/mount", ["-t", "tmpfs", "-o", options, "tmpfs", mount.path]).status
          == 0)
      defer { _ = try? Command.run("/bin/umount", [mount.path]) }
      if name == "full" {
        _ = try? Command.run(
          "/bin/dd", ["if=/dev/zero", "of=\(mount.path)/fill", "bs=1k", "count=64"])
      }
      let run = try notifyUnit(
        ["--journal-file", c.run.path, "--state-directory", mount.path + "/state", c.unit],
        environment: c.run.outcomeEnvironment, config: c.config.path)
      #expect(run.status == 0, "\(run.stderr)")
      c.say("state directory \(name)", run, "mail delivered without state")
    }
    #expect(try c.mails() >= 2)
  }

  @Test func twoDozenUnitsReportingAtOnce() throws {
    let server = try HealthchecksServer(checks: [check])
    let cases = try (0..<24).map { _ in try Case() }
    defer { for c in cases { c.run.cleanUp() } }
    // All at once, from one shell (Foundation's Process is not for two dozen
    // threads spawning together); each run's exit status goes to a file.
    var script = ""
    for c in cases {
      try c.configure("HC_URL=\(server.baseURL)")
      let env = c.run.outcomeEnvironment.merging(["STATE_DIRECTORY": c.state.path]) { $1 }
        .map { "\($0.key)=\($0.value)" }.joined(separator: " ")
      script +=
        "(env \(env) \(Paths.notifyUnit) --config \(c.config.path) --journal-file \(c.run.path)"
        + " \(c.unit) \(check) 2>/dev/null; echo $? > \(c.run.dir.path)/status) &\n"
    }
    // No `wait`: a shell started from a test thread inherits blocked signals
    // (SIGCHLD too) and would never see its children end. Poll instead.
    let started = Date()
    #expect(try Command.run("/bin/sh", ["-c", script]).status == 0)
    let limit = started.addingTimeInterval(90)
    let statusFiles = cases.map { $0.run.dir.path + "/status" }
    while Date() < limit, !statusFiles.allSatisfy({ FileManager.default.fileExists(atPath: $0) }) {
      usleep(100_000)
    }
    usleep(100_000)  // the last `echo` finishes writing
    let seconds = Date().timeIntervalSince(started)
    let statuses = try cases.map {
      try String(contentsOfFile: $0.run.dir.path + "/status", encoding: .utf8)
        .trimmingCharacters(in: .whitespacesAndNewlines)
    }
    #expect(statuses.allSatisfy { $0 == "0" }, "\(statuses)")
    #expect(try server.requests().count == 24)
    for c in cases { #expect(try c.mails() == 1) }
    print(
      "FAULT two dozen units at once: all exit 0 in \(String(format: "%.2f", seconds)) s, 24 mails and 24 pings delivered"
    )
  }

  @Test func killedMidRunLosesNothing() throws {
    let c = try Case()
    defer { c.run.cleanUp() }
    try c.configure("SENDMAIL=" + (try c.script("sm", "exec sleep 60")))
    let process = Process()
    process.executableURL = URL(fileURLWithPath: Paths.notifyUnit)
    process.arguments = ["--config", c.config.path, "--journal-file", c.run.path, c.unit]
    process.environment = c.run.outcomeEnvironment.merging(["STATE_DIRECTORY": c.state.path]) { $1 }
    process.standardError = FileHandle.nullDevice
    try process.runAlone()
    let limit = Date().addingTimeInterval(10)
    while c.spooled.isEmpty && Date() < limit { usleep(50_000) }
    usleep(300_000)
    kill(process.processIdentifier, SIGKILL)
    process.waitUntilExit()
    #expect(c.spooled.count == 1)
    try c.configure("SENDMAIL=/usr/sbin/sendmail")
    let flush = try c.flush()
    #expect(flush.status == 0 && c.spooled.isEmpty, "\(flush.stderr)")
    #expect(try c.mails() == 1)
    print(
      "FAULT killed mid-run (SIGKILL while sendmail hangs): the mail was in the spool; delivered by the next flush"
    )
  }
}
