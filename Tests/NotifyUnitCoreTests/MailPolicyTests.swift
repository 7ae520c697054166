import Testing

@testable import NotifyUnitCore

@Suite struct MailPolicyTests {
  @Test func changeMailsFailuresRecoveriesAndFirstReports() {
    let p = MailPolicy.change
    #expect(p.decide(success: false, previousSuccess: nil) == .mail)
    #expect(p.decide(success: false, previousSuccess: false) == .mail)
    #expect(p.decide(success: false, previousSuccess: true) == .mail)
    #expect(p.decide(success: true, previousSuccess: false) == .mailRecovered)
    #expect(p.decide(success: true, previousSuccess: nil) == .mail)
    guard case .skip = p.decide(success: true, previousSuccess: true) else {
      Issue.record("a success after a success was mailed")
      return
    }
  }

  @Test func failureAndAlways() {
    guard case .skip = MailPolicy.failure.decide(success: true, previousSuccess: false) else {
      Issue.record("MAIL_ON=failure mailed a success")
      return
    }
    #expect(MailPolicy.failure.decide(success: false, previousSuccess: true) == .mail)
    #expect(MailPolicy.always.decide(success: true, previousSuccess: true) == .mail)
    #expect(MailPolicy.always.decide(success: true, previousSuccess: false) == .mailRecovered)
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
