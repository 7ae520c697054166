import Testing

@testable import NotifyUnitCore

@Suite struct MailPolicyTests {
  @Test func changeMailsFailuresRecoveriesAndFirstReports() {
    let p = MailPolicy.change
    #expect(p.decide(verdict: .failure, previousSuccess: nil) == .mail)
    #expect(p.decide(verdict: .failure, previousSuccess: false) == .mail)
    #expect(p.decide(verdict: .failure, previousSuccess: true) == .mail)
    #expect(p.decide(verdict: .success, previousSuccess: false) == .mailRecovered)
    #expect(p.decide(verdict: .success, previousSuccess: nil) == .mail)
    guard case .skip = p.decide(verdict: .success, previousSuccess: true) else {
      Issue.record("a success after a success was mailed")
      return
    }
  }

  @Test func failureAndAlways() {
    guard case .skip = MailPolicy.failure.decide(verdict: .success, previousSuccess: false) else {
      Issue.record("MAIL_ON=failure mailed a success")
      return
    }
    #expect(MailPolicy.failure.decide(verdict: .failure, previousSuccess: true) == .mail)
    #expect(MailPolicy.always.decide(verdict: .success, previousSuccess: true) == .mail)
    #expect(MailPolicy.always.decide(verdict: .success, previousSuccess: false) == .mailRecovered)
  }

  @Test func warningsAreAChangeAndSkippedRunsAreToldOnlyUnderAlways() {
    for previous in [true, false, nil] as [Bool?] {
      #expect(MailPolicy.change.decide(verdict: .warning, previousSuccess: previous) == .mail)
      #expect(MailPolicy.always.decide(verdict: .skipped, previousSuccess: previous) == .mail)
      #expect(MailPolicy.change.decide(verdict: .interrupted, previousSuccess: previous) == .mail)
      for policy in [MailPolicy.change, .failure] {
        guard case .skip(let reason) = policy.decide(verdict: .skipped, previousSuccess: previous)
        else {
          Issue.record("\(policy) told of a skipped run")
          continue
        }
        #expect(reason.contains("skipped"))
      }
    }
    guard
      case .skip(let reason) = MailPolicy.failure.decide(
        verdict: .warning, previousSuccess: true, key: "HC_ON")
    else {
      Issue.record("MAIL_ON=failure mailed a warning")
      return
    }
    #expect(reason.hasPrefix("HC_ON=failure"))
  }

  @Test func perUnitOverridesFromTheConfigFile() throws {
    var settings = Settings()
    #expect(settings.mailPolicy(for: "backup.service") == .change)
    let problems = settings.apply(
      configText: "MAIL_ON=failure\nMAIL_ON_backup_service=always\nMAIL_ON_x=sometimes\n")
    #expect(problems == ["line 3: MAIL_ON_x must be always, failure or change, not \"sometimes\""])
    #expect(settings.mailPolicy(for: "backup.service") == .always)
    #expect(settings.mailPolicy(for: "prune.service") == .failure)
    #expect(
      MailPolicy.overrideKey(for: "notify-failure@a.b.service")
        == "MAIL_ON_notify_failure_a_b_service")
  }

  @Test func recoveredHeadline() {
    var r = Report(
      unit: "backup.service", host: "nas",
      outcome: RunOutcome(environment: ["SERVICE_RESULT": "success"]),
      invocationID: nil, tailCapacityBytes: 0, createdAt: 0)
    r.recovered = true
    #expect(r.headline == "💚 backup.service: recovered on nas")
  }
}
