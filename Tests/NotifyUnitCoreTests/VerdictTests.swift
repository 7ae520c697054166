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
    // restic's own lines tell the job: its 3 is named by restic's meaning.
    #expect(
      restic.headline
        == "⚠️ backup.service: some source files could not be read (warning, status 3) on nas")
    #expect(!restic.headline.contains("NOTIMPLEMENTED"))
    // Without restic's lines, the job's warning line.
    let other = report(
      outcome("success", "exited", "3"), lines: [("job", 6, "Warning: disk 91% full")])
    #expect(other.headline == "⚠️ backup.service: Warning: disk 91% full (warning, status 3) on nas")
  }

  @Test func aResticBackupsSuccessSaysWhatItDid() throws {
    let lines = ResticSummaryTests.text014.split(separator: "\n").map {
      ("restic", UInt8(6), String($0))
    }
    var r = report(outcome("success", "exited", "0"), lines: lines)
    #expect(r.headline == "💚 backup.service: snapshot d052f383, +24.336 MiB on nas")
    r.recovered = true
    #expect(r.headline == "💚 backup.service: recovered, snapshot d052f383, +24.336 MiB on nas")
    let mail = String(
      decoding: MailComposer(
        report: r,
        settings: MailSettings(
          recipients: [try MailAddress(parsing: "admin@example.org")],
          sender: try MailAddress(parsing: "notify-unit@nas")),
        renderer: LogRenderer(zone: .utc), nonce: "n"
      ).bodyText(attachment: nil), as: UTF8.self)
    #expect(mail.contains("\nSnapshot:      d052f383\n"))
    #expect(mail.contains("\nFiles:         50 new, 0 changed, 0 unmodified\n"))
    #expect(mail.contains("\nAdded:         24.336 MiB (24.327 MiB stored)\n"))
    #expect(mail.contains("\nProcessed:     50 files, 24.319 MiB in 0:00\n"))
    // A failed run keeps its reason up front, summary or not.
    let failed = report(
      outcome("exit-code", "exited", "1"), lines: lines + [("restic", 6, "Fatal: x")])
    #expect(failed.headline == "⛔ backup.service: Fatal: x (exit-code, status 1) on nas")
  }

  @Test func anErrorOverSeveralLinesIsNamedByItsFirst() {
    // restic 0.14 finding the repository locked: no "Fatal:", every line on
    // stderr, which the job scripts log at error priority.
    let r = report(
      outcome("exit-code", "exited", "1"),
      lines: [
        ("restic-prune", 6, "==> forget started"),
        (
          "restic", 3,
          "unable to create lock in backend: repository is already locked by PID 6921 on vm by root (UID 0, GID 0)"
        ),
        ("restic", 3, "lock was created at 2026-11-30 08:15:06 (2.672459402s ago)"),
        ("restic", 3, "storage ID ec1f038b"),
        ("restic", 3, "the `unlock` command can be used to remove stale locks"),
        ("restic-prune", 6, "==> forget took 0 s (exit status 1)"),
      ])
    #expect(
      r.reason?.hasPrefix("unable to create lock in backend: repository is already locked") == true)
    // A later error block is closer to the end, and wins.
    let later = report(
      outcome("exit-code", "exited", "1"),
      lines: [
        ("job", 3, "first problem"), ("job", 3, "its detail"), ("job", 6, "retrying"),
        ("job", 3, "second problem"),
      ])
    #expect(later.reason == "second problem")
  }

  @Test func resticsNoticeOfWaitingForTheLockIsNotTheReason() {
    // restic 0.18 (Debian 13) finding the repository locked: a notice of
    // its wait (--retry-lock, 0 s by default) comes first, on stderr like
    // the error block after it, and it exits 11.
    let r = report(
      outcome("exit-code", "exited", "11"),
      lines: [
        ("restic-prune", 6, "==> forget started"),
        ("restic", 3, "repo already locked, waiting up to 0s for the lock"),
        (
          "restic", 3,
          "unable to create lock in backend: repository is already locked by PID 375 on vm by root (UID 0, GID 0)"
        ),
        ("restic", 3, "lock was created at 2026-11-30 08:36:47 (381.978765ms ago)"),
        ("restic", 3, "storage ID 06ebf021"),
        ("restic", 3, "the `unlock` command can be used to remove stale locks"),
        ("restic-prune", 6, "==> forget took 0 s (exit status 11)"),
      ])
    #expect(
      r.reason
        == "unable to create lock in backend: repository is already locked by PID 375 on vm by root (UID 0, GID 0)"
    )
    #expect(r.headline.hasSuffix(" (exit-code, status 11) on nas"))
    // The notice alone (a wait that then succeeded) is no reason for a failure.
    let alone = report(
      outcome("exit-code", "exited", "1"),
      lines: [("restic", 3, "repo already locked, waiting up to 5m0s for the lock")])
    #expect(alone.reason == nil)
  }

  @Test func systemdsRefusalIsTheReason() {
    var status = UnitStatus()
    status.result = "start-limit-hit"
    var r = report(outcome("start-limit-hit"), lines: [("job", 3, "Error: an old run's line")])
    #expect(
      r.headline == "⛔ backup.service: systemd refused to start the unit (start limit) on nas")
    // NRestarts counts the refused restart too: 3 runs, 2 restarts ran.
    status.restarts = 3
    r.status = status
    #expect(
      r.headline
        == "⛔ backup.service: systemd stopped retrying the unit after 3 runs (start limit) on nas"
    )
    // The refusal is no exit of the job, whose last run exited 2.
    let failed = outcome("exit-code", "exited", "2")
    #expect(PingTarget.finishPath(verdict: .failure, mainProcess: failed.mainProcess) == "/2")
    #expect(
      PingTarget.finishPath(
        verdict: .failure, mainProcess: failed.mainProcess, result: .startLimitHit) == "/fail")
  }

  @Test func anInterruptedRunIsAFailureTheMachineCaused() {
    var r = report(outcome("success", "exited", "0"), lines: [("job", 3, "Error: not the reason")])
    r.interruption = Interruption(
      startedAt: 1_700_000_000_000_000, bootID: "0123456789abcdef0123456789abcdef")
    #expect(r.verdict == .interrupted && r.verdict.isFailure)
    #expect(r.reason == "the machine stopped during the run")
    #expect(
      r.headline == "⛔ backup.service: the machine stopped during the run (interrupted) on nas")
    #expect(
      PingTarget.finishPath(verdict: r.verdict, mainProcess: r.outcome.mainProcess) == "/fail")
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
