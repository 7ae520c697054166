import Testing

@testable import NotifyUnitCore

@Suite struct RunOutcomeTests {
  @Test func successIsDecidedOnServiceResultAlone() {
    // A success can come with killed/TERM (systemd.exec(5)).
    let ok = RunOutcome(environment: [
      "SERVICE_RESULT": "success", "EXIT_CODE": "killed", "EXIT_STATUS": "TERM",
    ])
    #expect(ok.isSuccess)
    #expect(ok.mainProcess == .killed(signal: "TERM"))
    // A timeout can come with exited/0: still a failure.
    let timeout = RunOutcome(environment: [
      "SERVICE_RESULT": "timeout", "EXIT_CODE": "exited", "EXIT_STATUS": "0",
    ])
    #expect(!timeout.isSuccess)
    #expect(timeout.result == .timeout)
  }

  @Test(arguments: [
    "protocol", "timeout", "exit-code", "signal", "core-dump", "watchdog", "start-limit-hit",
    "resources", "exec-condition", "oom-kill",
  ])
  func everyOtherResultIsAFailure(result: String) {
    let outcome = RunOutcome(environment: ["SERVICE_RESULT": result])
    #expect(!outcome.isSuccess)
    #expect(outcome.resultWord == result)
    #expect(outcome.result?.explanation.isEmpty == false)
  }

  @Test func unsetOrEmptyResultIsUnknownAndAFailure() {
    for env in [[:], ["SERVICE_RESULT": ""], ["SERVICE_RESULT": "  "]] as [[String: String]] {
      let outcome = RunOutcome(environment: env)
      #expect(outcome.result == nil)
      #expect(!outcome.isSuccess)
      #expect(outcome.resultWord == "unknown")
      #expect(outcome.mainProcess == nil)
    }
  }

  @Test func protocolAndStartLimitLeaveExitVariablesUnset() {
    let outcome = RunOutcome(environment: ["SERVICE_RESULT": "start-limit-hit", "EXIT_CODE": ""])
    #expect(outcome.mainProcess == nil)
    #expect(!outcome.isSuccess)
  }

  @Test func unknownResultIsKeptSanitizedAndFails() {
    let outcome = RunOutcome(environment: ["SERVICE_RESULT": "new-thing\n\u{1B}[31m"])
    #expect(!outcome.isSuccess)
    #expect(outcome.resultWord == "new-thing\u{FFFD}\u{FFFD}[31m")
  }

  @Test func exitStatusesInWords() {
    let exited = MainProcessExit(code: "exited", status: "3")
    #expect(exited == .exited(status: 3))
    // The number alone: systemd's LSB name (NOTIMPLEMENTED) is not the job's;
    // the job's own, where it is known; systemd's own statuses by name.
    #expect(exited?.description == "exited with status 3")
    #expect(
      exited?.description(job: .restic)
        == "exited with status 3 (restic: some source files could not be read)")
    #expect(
      MainProcessExit(code: "exited", status: "1")?.description(job: .restic)
        == "exited with status 1")
    #expect(
      MainProcessExit(code: "exited", status: "203")?.description == "exited with status 203 (EXEC)"
    )
    #expect(
      MainProcessExit(code: "killed", status: "KILL")?.description
        == "killed by signal KILL (killed)")
    #expect(
      MainProcessExit(code: "dumped", status: "SEGV")?.description
        == "dumped core on signal SEGV (segmentation fault)")
    #expect(MainProcessExit(code: "exited", status: "203")?.description.contains("EXEC") == true)
    #expect(
      MainProcessExit(code: "exited", status: "999") == .unrecognised(code: "exited", status: "999")
    )
    #expect(MainProcessExit(code: nil, status: nil) == nil)
  }

  @Test func monitorVariablesOfOnFailureHandlers() {
    let outcome = RunOutcome(
      environment: [
        "MONITOR_SERVICE_RESULT": "exit-code", "MONITOR_EXIT_CODE": "exited",
        "MONITOR_EXIT_STATUS": "1", "SERVICE_RESULT": "success",
      ], prefix: "MONITOR_")
    #expect(outcome.result == .exitCode)
    #expect(outcome.mainProcess == .exited(status: 1))
  }

  @Test func invocationIDsAreNormalized() {
    #expect(
      normalizedInvocationID("0123456789ABCDEF0123456789abcdef")
        == "0123456789abcdef0123456789abcdef")
    #expect(
      normalizedInvocationID("01234567-89ab-cdef-0123-456789abcdef")
        == "0123456789abcdef0123456789abcdef")
    #expect(normalizedInvocationID("0123") == nil)
    #expect(normalizedInvocationID("0123456789abcdef0123456789abcdeg") == nil)
    #expect(normalizedInvocationID("x=1 INVOCATION_ID=0123456789abcdef01234567") == nil)
  }
}
