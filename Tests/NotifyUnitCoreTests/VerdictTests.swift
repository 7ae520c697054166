import NotifyUnitCore
import Testing

/// One classification of a run for every channel, from what systemd says.
@Suite struct VerdictTests {
  func outcome(_ result: String, _ code: String? = nil, _ status: String? = nil) -> RunOutcome {
    var env = ["SERVICE_RESULT": result]
    if let code { env["EXIT_CODE"] = code }
    if let status { env["EXIT_STATUS"] = status }
    return RunOutcome(environment: env)
  }

  @Test func verdictsFromSystemdsResult() {
    #expect(outcome("success", "exited", "0").verdict == .success)
    #expect(outcome("success").verdict == .success)
    #expect(outcome("success", "killed", "TERM").verdict == .success)
    // SuccessExitStatus=3 (restic: some files could not be read).
    #expect(outcome("success", "exited", "3").verdict == .warning)
    #expect(outcome("exec-condition", "exited", "1").verdict == .skipped)
    for result in ["exit-code", "timeout", "signal", "core-dump", "start-limit-hit", "", "odd"] {
      #expect(outcome(result, "exited", "0").verdict == .failure, "\(result)")
    }
  }

  @Test func finishPingEndpoints() {
    let path = { (o: RunOutcome) in
      PingTarget.finishPath(verdict: o.verdict, mainProcess: o.mainProcess)
    }
    #expect(path(outcome("success", "exited", "0")) == "")
    #expect(path(outcome("success", "exited", "3")) == "")
    #expect(path(outcome("exec-condition", "exited", "1")) == "/log")
    #expect(path(outcome("exit-code", "exited", "1")) == "/1")
    #expect(path(outcome("exit-code", "exited", "255")) == "/255")
    // Never "/0" (success) for a failure, never a signal's name.
    #expect(path(outcome("timeout", "exited", "0")) == "/fail")
    #expect(path(outcome("signal", "killed", "KILL")) == "/fail")
    #expect(path(outcome("core-dump", "dumped", "SEGV")) == "/fail")
    #expect(path(outcome("start-limit-hit")) == "/fail")
    #expect(path(outcome("")) == "/fail")
  }

  func report(_ outcome: RunOutcome, lines: [(String, UInt8?, String)]) -> Report {
    var r = Report(
      unit: "backup.service", host: "nas", outcome: outcome, invocationID: nil,
      tailCapacityBytes: 10_000, createdAt: 0)
    let renderer = LogRenderer(zone: .utc)
    for (i, (identifier, priority, message)) in lines.enumerated() {
      r.add(
        LogRecord(
          realtime: UInt64(i), priority: priority, identifier: Array(identifier.utf8),
          pid: Array("1".utf8), message: Array(message.utf8)), renderer: renderer)
    }
    r.finish(renderer: renderer)
    return r
  }

  @Test func theReasonIsTheJobsFatalLineNotTheHintAfterIt() {
    // restic 0.14 without a repository, stderr stored at info.
    let r = report(
      outcome("exit-code", "exited", "1"),
      lines: [
        ("restic-backup", 6, "starting backup"),
        (
          "restic", 6,
          "Fatal: unable to open config file: stat /srv/restic-repo/config: no such file or directory"
        ),
        ("restic", 6, "Is there a repository at the following location?"),
        ("restic", 6, "/srv/restic-repo"),
        ("systemd", 3, "Failed with result 'exit-code'."),
      ])
    #expect(r.reason?.hasPrefix("Fatal: unable to open config file") == true)
    #expect(
      r.headline
        == "⛔ backup.service: Fatal: unable to open config file: stat /srv/restic-repo/config: no such file or directory (exit-code, status 1) on nas"
        || r.headline.hasPrefix("⛔ backup.service: Fatal: unable to open config file"))
    #expect(r.headline.hasSuffix("(exit-code, status 1) on nas"))
  }

  @Test func priorityFindsTheReasonWhenTheJobSetsIt() {
    let r = report(
      outcome("exit-code", "exited", "2"),
      lines: [("job", 6, "working"), ("job", 3, "disk quota exceeded"), ("job", 6, "cleaning up")])
    #expect(r.reason == "disk quota exceeded")
    #expect(r.headline == "⛔ backup.service: disk quota exceeded (exit-code, status 2) on nas")
  }

  @Test func withoutAnErrorLineTheResultSpeaks() {
    let r = report(outcome("signal", "killed", "KILL"), lines: [("job", 6, "working")])
    #expect(r.reason == nil)
    #expect(r.headline == "⛔ backup.service: signal on nas")
    let timeout = report(outcome("timeout", "exited", "0"), lines: [])
    #expect(timeout.headline == "⛔ backup.service: timeout on nas")
  }

  @Test func aWarningNamesTheStatusByNumberAndTheJobsWarning() {
    let plain = report(outcome("success", "exited", "3"), lines: [])
    #expect(plain.headline == "⚠️ backup.service: warning (status 3) on nas")
    let restic = report(
      outcome("success", "exited", "3"),
      lines: [
        ("restic", 6, "error: open /root/secret: permission denied"),
        ("restic", 6, "Warning: at least one source file could not be read"),
        ("restic", 6, "snapshot 8c71d5e0 saved"),
      ])
    #expect(
      restic.headline
        == "⚠️ backup.service: Warning: at least one source file could not be read (warning, status 3) on nas"
    )
    #expect(!restic.headline.contains("NOTIMPLEMENTED"))
  }

  @Test func aSkippedRunAndASuccessCarryNoReason() {
    let skipped = report(outcome("exec-condition", "exited", "1"), lines: [("job", 3, "Error: x")])
    #expect(skipped.headline == "⏭️ backup.service: skipped (ExecCondition=) on nas")
    let success = report(outcome("success", "exited", "0"), lines: [("job", 3, "Error: retried")])
    #expect(success.headline == "💚 backup.service: success on nas")
  }

  @Test func aLongReasonIsCutInTheHeadline() {
    let long = "Fatal: " + String(repeating: "x", count: 500)
    let r = report(outcome("exit-code", "exited", "1"), lines: [("job", 6, long)])
    // Cut to its limit, and "…" says so.
    #expect(r.reason.map { $0.unicodeScalars.count == FailureReason.maxCharacters + 1 } == true)
    #expect(r.reason?.hasSuffix("…") == true)
    #expect(r.headline.count < 200)
    #expect(r.headline.hasSuffix("(exit-code, status 1) on nas"))
  }
}
