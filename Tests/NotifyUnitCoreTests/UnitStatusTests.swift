import Testing

@testable import NotifyUnitCore

@Suite struct UnitStatusTests {
  @Test func outcomeFromSystemdsRecord() {
    var s = UnitStatus()
    s.result = "exit-code"
    s.execMainCode = 1
    s.execMainStatus = 3
    #expect(s.outcome == RunOutcome(result: .exitCode, mainProcess: .exited(status: 3)))
    s.result = "signal"
    s.execMainCode = 2
    s.execMainStatus = 9
    #expect(s.outcome.mainProcess == .killed(signal: "KILL"))
    s.execMainCode = 3
    s.execMainStatus = 11
    #expect(s.outcome.mainProcess == .dumped(signal: "SEGV"))
    s.result = "success"
    s.execMainCode = 0
    #expect(s.outcome.isSuccess && s.outcome.mainProcess == nil)
    s.result = ""
    #expect(!s.outcome.isSuccess && s.outcome.result == nil)
  }

  @Test func summaryShowsWhatIsKnown() {
    var s = UnitStatus()
    s.description = "restic backup\n(evil)"
    s.activeState = "failed"
    s.subState = "failed"
    s.execMainStart = 1_795_000_000_000_000
    s.execMainExit = 1_795_000_062_500_000
    s.memoryPeakBytes = 1_610_612_736
    s.ioReadBytes = 2048
    s.ioWriteBytes = 10
    let lines = Dictionary(
      uniqueKeysWithValues: s.summaryLines(renderer: LogRenderer(zone: .utc)))
    #expect(lines["Description"] == "restic backup\u{FFFD}(evil)")
    #expect(lines["State"] == "failed (failed)")
    #expect(lines["Ran for"] == "1 min 03 s")
    #expect(lines["Memory peak"] == "1.5 GiB")
    #expect(lines["IO"] == "2.0 KiB read, 10 B written")
    #expect(lines["CPU time"] == nil && lines["Main PID"] == nil)
  }
}

@Suite struct OneReportPerFailureTests {
  func status(_ runs: [ExecCommandRun], mainStart: UInt64 = 100) -> UnitStatus {
    var s = UnitStatus()
    s.execMainStart = mainStart
    s.execStopPost = runs
    return s
  }

  @Test func quietOnlyWhenExecStopPostDeliveredThisRun() {
    let delivered = ExecCommandRun(
      path: "/usr/local/bin/notify-unit", startRealtime: 200, exitRealtime: 300, code: 1, status: 0)
    #expect(status([delivered]).reportedByExecStopPost)
    // Did not deliver (exit 75), could not start (217/USER), never ran
    // (start-limit-hit), ran in an earlier run, or is another program.
    var failed = delivered
    failed.status = 75
    var noUser = delivered
    noUser.status = 217
    var never = delivered
    never.startRealtime = 0
    never.exitRealtime = 0
    never.code = 0
    var other = delivered
    other.path = "/usr/local/bin/mail-me"
    for run in [failed, noUser, never, other] {
      #expect(!status([run]).reportedByExecStopPost)
    }
    #expect(!status([delivered], mainStart: 250).reportedByExecStopPost)
    #expect(!UnitStatus().reportedByExecStopPost)
  }
}
