import NotifyUnitCore
import Testing

/// ALERT_AFTER and REMIND_EVERY over sequences of runs, the clock given.
@Suite struct AlertRulesTests {
  let hour: UInt64 = 3_600_000_000

  /// The steps of `verdicts`, one run an hour from hour 0.
  func steps(_ rules: AlertRules, _ verdicts: [Verdict], every: UInt64? = nil) -> [AlertStep] {
    var streak = AlertStreak()
    var out: [AlertStep] = []
    for (i, verdict) in verdicts.enumerated() {
      let (step, next) = rules.step(
        verdict: verdict, streak: streak, now: UInt64(i) * (every ?? hour))
      out.append(step)
      streak = next
    }
    return out
  }

  @Test func theNthFailureInARowRaisesTheAlarm() {
    let got = steps(AlertRules(alertAfter: 3), [.failure, .failure, .failure, .success])
    #expect(
      got == [
        .building(failure: 1, of: 3), .building(failure: 2, of: 3), .alarm(failures: 3),
        .recovered(failures: 3, since: 0, alerted: true),
      ])
  }

  @Test func aFailureThatRecoversBeforeTheThresholdWasNoAlarm() {
    let got = steps(AlertRules(alertAfter: 2), [.failure, .success, .failure, .skipped, .failure])
    #expect(
      got == [
        .building(failure: 1, of: 2), .recovered(failures: 1, since: 0, alerted: false),
        .building(failure: 1, of: 2), .none,
        // A skipped run neither breaks nor extends the streak.
        .alarm(failures: 2),
      ])
  }

  @Test func remindersComeOnceAnIntervalWhileStillFailing() {
    // Every hour, a reminder every 5 hours.
    let rules = AlertRules(alertAfter: 1, remindEvery: 5 * 3600)
    let got = steps(rules, Array(repeating: .failure, count: 12))
    #expect(got[0] == .alarm(failures: 1))
    let reminders = got.enumerated().filter {
      if case .reminder = $0.element { return true }
      return false
    }.map(\.offset)
    #expect(reminders == [5, 10])
    #expect(got[1] == .quiet(failures: 2, nextReminder: 5 * hour))
    #expect(got[5] == .reminder(failures: 6, since: 0))
    #expect(got.filter(\.holdsBack).count == 9)
  }

  @Test func remindEveryZeroSendsEveryFailure() {
    let got = steps(AlertRules(remindEvery: 0), [.failure, .failure, .failure])
    #expect(
      got == [
        .alarm(failures: 1), .reminder(failures: 2, since: 0), .reminder(failures: 3, since: 0),
      ])
    #expect(got.allSatisfy { !$0.holdsBack })
  }

  @Test func aHugeCountOrClockFromAFileCannotTrap() {
    let rules = AlertRules(alertAfter: 3, remindEvery: 366 * 86400)
    let streak = AlertStreak(failures: .max, since: 0, lastAlert: .max - 5)
    let (step, next) = rules.step(verdict: .failure, streak: streak, now: .max)
    #expect(next.failures == .max)
    #expect(step == .reminder(failures: .max, since: 0))
    let (recovered, cleared) = rules.step(verdict: .success, streak: next, now: 0)
    #expect(recovered == .recovered(failures: .max, since: 0, alerted: true))
    #expect(cleared == AlertStreak())
    #expect(recovered.recoveredFrom(now: 0) == "after \(UInt64.max) failed runs over 0 s")
  }

  @Test func theHeadlineWordsSayWhereTheRunStands() {
    let time = { (t: UInt64) in "T+\(t / 3_600_000_000)h" }
    #expect(
      AlertStep.building(failure: 1, of: 3).headlinePrefix(time: time)
        == "failure 1 of 3 before an alert")
    #expect(AlertStep.alarm(failures: 1).headlinePrefix(time: time) == nil)
    #expect(AlertStep.alarm(failures: 3).headlinePrefix(time: time) == "failed 3 runs in a row")
    #expect(
      AlertStep.reminder(failures: 37, since: 2 * hour).headlinePrefix(time: time)
        == "still failing: 37 failed runs since T+2h")
    let recovered = AlertStep.recovered(failures: 37, since: 0, alerted: true)
    #expect(recovered.recoveredFrom(now: 51 * hour) == "after 37 failed runs over 2 d 3 h")
  }

  @Test func durationsAreReadWithTheirUnit() throws {
    var settings = Settings()
    for (text, seconds) in [
      ("24h", 86400.0), ("90m", 5400), ("0", 0), ("7d", 604_800), ("45s", 45),
    ] {
      try settings.set("REMIND_EVERY", text)
      #expect(settings.alertRules(for: "x.service").remindEvery == seconds, "\(text)")
    }
    for bad in ["7\u{0}junk", "1e3", "inf", "-1h", "", "400d", "h"] {
      var copy = settings
      #expect(throws: ConfigurationError.self, "\(bad)") { try copy.set("REMIND_EVERY", bad) }
    }
    try settings.set("ALERT_AFTER", "2")
    try settings.set("ALERT_AFTER_backup_service", "4")
    #expect(settings.alertRules(for: "backup.service").alertAfter == 4)
    #expect(settings.alertRules(for: "prune.service").alertAfter == 2)
    var zero = settings
    #expect(throws: ConfigurationError.self) { try zero.set("ALERT_AFTER", "0") }
  }
}
