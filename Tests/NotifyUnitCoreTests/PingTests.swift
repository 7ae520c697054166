import Testing

@testable import NotifyUnitCore

@Suite struct PingTargetTests {
  let uuid = "5f1e9b52-2c3a-4a7d-9a53-3c1b1a7f0b11"

  @Test func uuidUnderTheBaseURL() throws {
    let t = try PingTarget(check: uuid)
    #expect(t.url(success: true, rid: nil) == "https://hc-ping.com/\(uuid)")
    #expect(t.url(success: false, rid: "r") == "https://hc-ping.com/\(uuid)/fail?rid=r")
    #expect(!t.url(success: true, rid: nil).hasSuffix("/"))
    let selfHosted = try PingTarget(
      check: uuid.uppercased(), baseURL: "https://hc.example.org/ping/")
    #expect(selfHosted.url(success: true, rid: nil) == "https://hc.example.org/ping/\(uuid)")
  }

  @Test func fullURLAndSlugForms() throws {
    let url = try PingTarget(check: "https://hc.example.org/ping/\(uuid)")
    #expect(url.url(success: false, rid: nil) == "https://hc.example.org/ping/\(uuid)/fail")
    let slug = try PingTarget(check: "abcdefghijklmnopqrstuv/nightly-backup")
    #expect(
      slug.url(success: true, rid: nil)
        == "https://hc-ping.com/abcdefghijklmnopqrstuv/nightly-backup")
  }

  @Test func badChecksAreRefused() {
    for bad in ["", "nope", "https://x.org/ping?x=1", "12345678-1234", "https://", "https://h/p a"]
    {
      #expect(throws: ConfigurationError.self) { try PingTarget(check: bad) }
    }
    #expect(throws: ConfigurationError.self) { try PingTarget(check: uuid, baseURL: "ftp://x") }
  }

  @Test func secretsAreRedacted() throws {
    for (check, secret) in [
      (uuid, uuid), ("https://hc.example.org/ping/\(uuid)", uuid),
      ("abcdefghijklmnopqrstuv/nightly", "abcdefghijklmnopqrstuv"),
      ("https://hc.example.org/ping/SECRETKEYabcdefgh/nightly", "SECRETKEYabcdefgh"),
      ("https://hc.example.org/ping/SECRETKEYabcdefgh/db", "SECRETKEYabcdefgh"),
      ("https://user:pw-secret@hc.example.org/ping/\(uuid)", "pw-secret"),
      ("https://hc.example.org/hooks/s3cr3t-path-token", "s3cr3t-path-token"),
    ] {
      let t = try PingTarget(check: check)
      #expect(!t.redacted.contains(secret))
      #expect(!t.redactedURL(success: false, rid: nil).contains(secret))
      #expect(t.scrub("could not reach \(check)/fail").contains(secret) == false)
    }
  }

  @Test func baseURLCredentialsAreRedactedToo() throws {
    let t = try PingTarget(check: uuid, baseURL: "https://robot:hunter22@hc.example.org/ping")
    #expect(t.url(success: true, rid: nil) == "https://robot:hunter22@hc.example.org/ping/\(uuid)")
    #expect(t.redacted == "https://hc.example.org/ping/5f1e…")
    #expect(!t.scrub("failed: robot:hunter22").contains("hunter22"))
  }

  @Test func ridIsTheInvocationAsAUUID() {
    #expect(
      ridFromInvocationID("0123456789ABCDEF0123456789abcdef")
        == "01234567-89ab-cdef-0123-456789abcdef")
    #expect(ridFromInvocationID("0123") == nil)
  }
}

@Suite struct PingBodyTests {
  func report(_ lines: [String]) -> Report {
    var r = Report(
      unit: "backup.service", host: "nas",
      outcome: RunOutcome(environment: ["SERVICE_RESULT": "exit-code"]),
      invocationID: nil, tailCapacityBytes: 1 << 20, createdAt: 0)
    let renderer = LogRenderer(zone: .utc)
    for (i, l) in lines.enumerated() {
      r.add(LogRecord(realtime: UInt64(i), message: Array(l.utf8)), renderer: renderer)
    }
    r.finish(renderer: renderer)
    return r
  }

  @Test func smallLogIsSentWhole() {
    let body = String(
      decoding: PingBody.make(report: report(["a", "b", "last"]), limit: 10_000), as: UTF8.self)
    #expect(body.hasPrefix("⛔ backup.service: exit-code on nas\n"))
    #expect(body.hasSuffix(": last\n"))
    #expect(!body.contains("cut"))
  }

  @Test func longLogIsCutToItsTailWithANote() {
    let lines = (0..<5000).map { "line \($0) ✅ \u{1}" }
    for limit in [500, 10_000, 100_000] {
      let body = PingBody.make(report: report(lines), limit: limit)
      #expect(body.count <= limit)
      let text = String(validating: body, as: UTF8.self)
      #expect(text != nil)
      #expect(text!.hasSuffix(": line 4999 ✅ ␁\n"))
      #expect(text!.contains("[notify-unit: log cut to its last"))
    }
  }

  @Test func oneHugeLineKeepsItsEnd() {
    let body = PingBody.make(
      report: report([String(repeating: "é", count: 300_000) + "FATAL: disk full"]), limit: 10_000)
    #expect(body.count <= 10_000)
    let text = String(validating: body, as: UTF8.self)
    #expect(text?.hasSuffix("FATAL: disk full\n") == true)
    #expect(text?.contains(" bytes left out …] ") == true)
  }

  @Test func lastLineSurvivesLimitsSmallerThanIt() {
    let lines = ["first", String(repeating: "x", count: 5000) + " the error"]
    let body = String(decoding: PingBody.make(report: report(lines), limit: 3000), as: UTF8.self)
    #expect(body.utf8.count <= 3000)
    #expect(body.hasSuffix(" the error\n"))
  }
}

@Suite struct RetryPolicyTests {
  let policy = RetryPolicy(maxAttempts: 5, baseDelay: 1, maxDelay: 16)

  @Test(arguments: [408, 429, 500, 502, 503, 504, 599])
  func retriableStatuses(status: Int) {
    #expect(
      policy.decide(.answered(status: status, retryAfter: nil), attempt: 1, jitter: 1)
        == .retry(afterSeconds: 1))
  }

  @Test(arguments: [400, 401, 403, 404, 410, 422])
  func otherClientErrorsAreNeverRetried(status: Int) {
    #expect(
      policy.decide(.answered(status: status, retryAfter: nil), attempt: 1, jitter: 0) == .giveUp)
  }

  @Test func successEndsAndAttemptsAreBounded() {
    #expect(policy.decide(.answered(status: 200, retryAfter: nil), attempt: 1, jitter: 0) == .done)
    #expect(policy.decide(.answered(status: 201, retryAfter: nil), attempt: 1, jitter: 0) == .done)
    #expect(policy.decide(.transportError(retriable: true), attempt: 5, jitter: 0) == .giveUp)
    #expect(policy.decide(.transportError(retriable: false), attempt: 1, jitter: 0) == .giveUp)
  }

  @Test func backOffGrowsWithJitterAndACap() {
    #expect(policy.delay(attempt: 1, jitter: 1) == 1)
    #expect(policy.delay(attempt: 2, jitter: 1) == 2)
    #expect(policy.delay(attempt: 3, jitter: 0) == 2)
    #expect(policy.delay(attempt: 10, jitter: 1) == 16)
    for attempt in 1...6 {
      let d = policy.delay(attempt: attempt, jitter: 0.3)
      #expect(
        d >= policy.delay(attempt: attempt, jitter: 0)
          && d <= policy.delay(attempt: attempt, jitter: 1))
    }
  }

  @Test func retryAfterIsHonoured() {
    #expect(
      policy.decide(.answered(status: 429, retryAfter: "7"), attempt: 1, jitter: 1)
        == .retry(afterSeconds: 7))
    // Never sooner than the back-off.
    #expect(
      policy.decide(.answered(status: 503, retryAfter: "0"), attempt: 3, jitter: 1)
        == .retry(afterSeconds: 4))
    let now = HTTPDate.parse("Sun, 06 Nov 1994 08:49:37 GMT")!
    #expect(now == 784_111_777)
    #expect(
      policy.decide(
        .answered(status: 429, retryAfter: "Sun, 06 Nov 1994 08:49:57 GMT"), attempt: 1, jitter: 1,
        now: now)
        == .retry(afterSeconds: 20))
    // A server's numbers cannot trap (Swift's overflow): refused.
    #expect(HTTPDate.parse("Sun, 06 Nov 9999999999999 08:49:37 GMT") == nil)
    #expect(HTTPDate.parse("Sun, 06 Nov -9999999999999 08:49:37 GMT") == nil)
    #expect(HTTPDate.parse("Sun, 9999999999999999 Nov 1994 08:49:37 GMT") == nil)
    #expect(HTTPDate.parse("Sun, 06 Nov 1994 9999999999999999:49:37 GMT") == nil)
    // delay-seconds is digits only; a huge one waits "for ever" (past any
    // run's deadline: the report is spooled), never traps.
    #expect(RetryPolicy.retryAfterSeconds("99999999999999999999999", now: 0) == Double(Int.max))
    #expect(RetryPolicy.retryAfterSeconds("+5", now: 0) == nil)
    #expect(RetryPolicy.retryAfterSeconds("-5", now: 0) == nil)
    #expect(RetryPolicy.retryAfterSeconds(" 7 ", now: 0) == 7)
    #expect(RetryPolicy.retryAfterSeconds("soon", now: 0) == nil)
  }
}
