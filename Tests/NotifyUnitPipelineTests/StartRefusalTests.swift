import Foundation
import NotifyUnitCore
import NotifyUnitPipeline
import TestSupport
import Testing

/// systemd's refusal of a start after a failed run (Restart= given up, or
/// a start of the failed unit), as the OnFailure= handler meets it on
/// systemd 252 and 257: the unit's Result stays the run's, its journal
/// says "Start request repeated too quickly".
@Suite struct StartRefusalTests {
  let invocation = "0123456789abcdef0123456789abcdef"

  func line(_ identifier: String, pid: String, _ message: String) -> LogRecord {
    LogRecord(
      realtime: 1_800_000_000_000_000, priority: 4, identifier: Array(identifier.utf8),
      pid: Array(pid.utf8), message: Array(message.utf8))
  }

  /// The failed run's status once systemd gave up: reported by its own
  /// ExecStopPost=, NRestarts counting the refused restart too.
  func gaveUp() -> UnitStatus {
    var status = UnitStatus()
    status.result = "exit-code"
    status.activeState = "failed"
    status.invocationID = invocation
    status.restarts = 3
    status.execStopPost = [
      ExecCommandRun(
        path: "/usr/local/bin/notify-unit", startRealtime: 1, exitRealtime: 2, code: 1, status: 0)
    ]
    return status
  }

  func handlerRun(state: URL, status: UnitStatus, records: [LogRecord]) throws
    -> ReportPipelineTests.Run
  {
    let source = FakeOutcomeSource(
      result: "exit-code", invocationID: invocation, isHandler: true, status: status)
    let run = try ReportPipelineTests().makeRun(result: "exit-code", state: state, source: source)
    run.log.records = records
    return run
  }

  @Test func theHandlerReportsSystemdsRefusalOnce() throws {
    let state = try Paths.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: state) }
    let refusal = line("systemd", pid: "1", "retried.service: Start request repeated too quickly.")
    let run = try handlerRun(state: state, status: gaveUp(), records: [refusal])
    _ = run.pipeline.run()
    let report = try #require(run.mail.delivered.first?.report)
    #expect(report.startRefused && report.outcome.result == .startLimitHit)
    #expect(
      report.headline
        == "⛔ backup.service: systemd stopped retrying the unit after 3 runs (start limit) on \(report.host)"
    )
    #expect(report.notes.contains { $0.contains("the unit's result stays the run's: exit-code") })
    #expect(run.ping.delivered.count == 1)
    // systemd 257 starts the handler for the refusal too: no second report.
    let again = try handlerRun(state: state, status: gaveUp(), records: [refusal])
    _ = again.pipeline.run()
    #expect(again.mail.delivered.isEmpty && again.ping.delivered.isEmpty)
    #expect(
      again.said.lines.contains { $0.contains("this refusal to start it was reported already") })
  }

  @Test func theJobSayingTheWordsIsNotSystemd() throws {
    let state = try Paths.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: state) }
    let run = try handlerRun(
      state: state, status: gaveUp(),
      records: [line("systemd", pid: "4242", "x.service: Start request repeated too quickly.")])
    _ = run.pipeline.run()
    // The failed run, reported by its ExecStopPost=: nothing more.
    #expect(run.mail.delivered.isEmpty && run.ping.delivered.isEmpty)
  }

  @Test func aHandlerForARunTheUnitMovedOnFrom() throws {
    let state = try Paths.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: state) }
    // systemd restarted the unit before the handler asked: the status is
    // the next run's, its ExecStopPost= has not run yet.
    var next = gaveUp()
    next.activeState = "activating"
    next.invocationID = "fedcba9876543210fedcba9876543210"
    next.execStopPost = [
      ExecCommandRun(
        path: "/usr/local/bin/notify-unit", startRealtime: 0, exitRealtime: 0, code: 0, status: 0)
    ]
    let run = try handlerRun(state: state, status: next, records: [])
    _ = run.pipeline.run()
    #expect(run.mail.delivered.isEmpty && run.ping.delivered.isEmpty)
    // Said as it is: the handler knows that report is due, not that it went.
    #expect(run.said.lines.contains { $0.contains("it ran again since;") }, "\(run.said.lines)")
    // A unit without an ExecStopPost= report: the handler is its only one.
    next.execStopPost = []
    let alone = try handlerRun(state: state, status: next, records: [])
    _ = alone.pipeline.run()
    #expect(alone.mail.delivered.count == 1)
  }

  /// systemd's decision on a pending restart, as the handler polls for it.
  final class Polls: @unchecked Sendable {
    var statuses: [UnitStatus]
    var reads = 0
    var clock = 0.0
    init(_ statuses: [UnitStatus]) { self.statuses = statuses }
  }

  func waiting(_ polls: Polls) -> RestartWait {
    var wait = RestartWait {
      polls.reads += 1
      return polls.statuses.isEmpty ? nil : polls.statuses.removeFirst()
    }
    wait.sleep = { polls.clock += $0 }
    wait.now = { polls.clock }
    return wait
  }

  @Test func aHandlerWaitsForAPendingRestart() {
    var pending = gaveUp()
    pending.activeState = "activating"
    pending.subState = "auto-restart"
    pending.restartDelay = 100_000
    var refused = gaveUp()
    refused.subState = "failed"
    // Refused: the failed status of the same invocation.
    let polls = Polls([pending, pending, refused])
    #expect(waiting(polls).settled(pending, budget: 15) == refused)
    #expect(polls.reads == 3)
    // Restarted: the next run's status is not this failure's.
    var restarted = pending
    restarted.invocationID = "fedcba9876543210fedcba9876543210"
    restarted.subState = "start"
    #expect(waiting(Polls([restarted])).settled(pending, budget: 15) == pending)
    // Never decided: given up on after the delay and 5 s.
    let undecided = Polls(Array(repeating: pending, count: 1000))
    #expect(waiting(undecided).settled(pending, budget: 15) == pending)
    #expect(undecided.clock < 5.3)
    // Due later than the handler's time: its refusal starts a handler of its own.
    var later = pending
    later.restartDelay = 300_000_000
    let none = Polls([refused])
    #expect(waiting(none).settled(later, budget: 15) == later && none.reads == 0)
    // Nothing pending.
    let failed = Polls([refused])
    #expect(waiting(failed).settled(refused, budget: 15) == refused && failed.reads == 0)
  }

  /// A handler outlived the next run: systemd merged the handler start of
  /// that run's failure into it (systemd 257, Restart=), so it reports
  /// that failure too; not a run that is still going or the one it had.
  @Test func aHandlerFindsTheFailureOfARunThatEndedWhileItRan() {
    let handled = "0123456789abcdef0123456789abcdef"
    var next = gaveUp()
    next.invocationID = "fedcba9876543210fedcba9876543210"
    var ending = next
    ending.activeState = "deactivating"
    ending.subState = "stop-post"
    var restarting = next
    restarting.activeState = "activating"
    restarting.subState = "auto-restart"
    // Its ExecStopPost= still running: waited for, then the pending restart.
    let polls = Polls([ending, ending, restarting])
    #expect(waiting(polls).laterFailure(after: handled, budget: 10) == restarting)
    #expect(polls.reads == 3)
    // Failed for good (the start limit): that too.
    #expect(waiting(Polls([next])).laterFailure(after: handled, budget: 10) == next)
    // The run this handler reported, still failed: nothing more.
    var same = next
    same.invocationID = handled
    #expect(waiting(Polls([same])).laterFailure(after: handled, budget: 10) == nil)
    // The next run is going, or succeeded: its own report, or its handler's.
    var running = next
    running.activeState = "activating"
    running.subState = "start"
    #expect(waiting(Polls([running])).laterFailure(after: handled, budget: 10) == nil)
    var done = next
    done.activeState = "inactive"
    done.subState = "dead"
    #expect(waiting(Polls([done])).laterFailure(after: handled, budget: 10) == nil)
    // An ending that never ends: given up on after the budget.
    let stuck = Polls(Array(repeating: ending, count: 1000))
    #expect(waiting(stuck).laterFailure(after: handled, budget: 2) == nil)
    #expect(stuck.clock < 2.2)
    // No invocation known for the handled run: nothing is guessed.
    let unknown = Polls([next])
    #expect(waiting(unknown).laterFailure(after: nil, budget: 10) == nil && unknown.reads == 0)
  }
}
