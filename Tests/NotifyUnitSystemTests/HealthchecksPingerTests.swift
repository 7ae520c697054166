import Foundation
import NotifyUnitCore
import NotifyUnitSystem
import TestSupport
import Testing

/// The ping client against a loopback server with Healthchecks' semantics
/// (Tests/Peers/healthchecks_server.py), faults injected there.
@Suite struct HealthchecksPingerTests {
  let uuid = SecretLedger.newCheck()
  let rid = "01234567-89ab-cdef-0123-456789abcdef"

  func pinger(
    _ server: HealthchecksServer, check: String? = nil, attempts: Int = 5, timeout: Double = 2
  )
    throws -> (HealthchecksPinger, Log)
  {
    let log = Log()
    let target = try PingTarget(check: check ?? uuid, baseURL: server.baseURL + "/ping")
    let p = HealthchecksPinger(
      target: target, policy: RetryPolicy(maxAttempts: attempts, baseDelay: 0.2, maxDelay: 1),
      requestTimeout: timeout, log: { log.lines.append($0) })
    return (p, log)
  }

  final class Log: @unchecked Sendable { var lines: [String] = [] }

  func ping(
    _ p: HealthchecksPinger, success: Bool = true, deadline: Double = 20, body: String = "log tail"
  )
    -> HealthchecksPinger.Outcome
  {
    p.ping(
      success: success, rid: rid, bodyLimit: 100_000, deadline: Deadline(secondsFromNow: deadline)
    ) {
      Array(body.utf8.prefix($0))
    }
  }

  @Test func successAndFailurePings() throws {
    let server = try HealthchecksServer(checks: [uuid])
    let (p, log) = try pinger(server)
    #expect(ping(p, success: true).delivered)
    #expect(ping(p, success: false, body: "⛔ failed ✅").delivered)
    let requests = try server.requests()
    #expect(requests.map(\.kind) == ["success", "fail"])
    #expect(requests.map(\.path) == ["/ping/\(uuid)?rid=\(rid)", "/ping/\(uuid)/fail?rid=\(rid)"])
    #expect(requests.allSatisfy { $0.method == "POST" && $0.rid == rid })
    #expect(requests[0].headers["user-agent"] == "notify-unit/\(NotifyUnitVersion.string)")
    #expect(requests[0].headers["content-type"] == "text/plain; charset=utf-8")
    #expect(requests[1].bodyText == "⛔ failed ✅" && requests[1].bodyUtf8)
    #expect(!log.lines.joined().contains(uuid))
  }

  @Test func retriesServerErrorsThenDelivers() throws {
    let server = try HealthchecksServer(checks: [uuid])
    try server.inject([["status": 500], ["status": 503], ["status": 502]])
    let (p, log) = try pinger(server)
    let outcome = ping(p)
    #expect(outcome.delivered && outcome.attempts == 4)
    let times = try server.requests().map(\.time)
    #expect(times.count == 4)
    // Growing back-off: 0.2, 0.4, 0.8 s (jitter takes at most half).
    for (i, base) in [0.2, 0.4, 0.8].enumerated() {
      let gap = times[i + 1] - times[i]
      #expect(gap >= base * 0.5 - 0.02 && gap < base + 0.5, "gap \(i) was \(gap)")
    }
    #expect(!log.lines.joined().contains(uuid))
  }

  @Test func honoursRetryAfterOn429() throws {
    let server = try HealthchecksServer(checks: [uuid])
    try server.inject([["status": 429, "retry_after": "2"]])
    let (p, _) = try pinger(server)
    #expect(ping(p).delivered)
    let times = try server.requests().map(\.time)
    #expect(times.count == 2)
    #expect(times[1] - times[0] >= 1.95)
  }

  @Test func unknownCheckIsNotRetried() throws {
    let server = try HealthchecksServer(checks: [])
    let (p, log) = try pinger(server)
    let outcome = ping(p)
    #expect(!outcome.delivered && outcome.permanent && outcome.attempts == 1)
    #expect(outcome.failure.contains("HTTP 404"))
    #expect(try server.requests().count == 1)
    #expect(!(outcome.failure + log.lines.joined()).contains(uuid))
  }

  @Test func stalledRequestTimesOutAndIsRetried() throws {
    let server = try HealthchecksServer(checks: [uuid])
    try server.inject([["stall": 5.0], ["close": true]])
    let (p, _) = try pinger(server, timeout: 1)
    let started = Date()
    let outcome = ping(p)
    #expect(outcome.delivered && outcome.attempts == 3)
    #expect(Date().timeIntervalSince(started) < 3)
  }

  @Test func refusedConnectionsAreRetriedWithinTheDeadline() throws {
    // A port that was just free: nothing listens there.
    let server = try HealthchecksServer(checks: [uuid])
    let base = server.baseURL
    let target = try PingTarget(check: uuid, baseURL: base + "/ping")
    let closedPort = server.port
    _ = consume server
    let p = HealthchecksPinger(
      target: target, policy: RetryPolicy(maxAttempts: 50, baseDelay: 0.2, maxDelay: 0.5),
      requestTimeout: 1, log: { _ in })
    let started = Date()
    let outcome = ping(p, deadline: 2)
    let elapsed = Date().timeIntervalSince(started)
    #expect(!outcome.delivered && !outcome.permanent)
    #expect(outcome.attempts > 2)
    // Generous: 50 attempts without the deadline would take over a minute;
    // a loaded two-core machine may overrun 2 s by a little.
    #expect(elapsed <= 8, "took \(elapsed) s for a 2 s deadline")
    #expect(
      outcome.failure.contains("127.0.0.1") || outcome.failure.contains("\(closedPort)")
        || outcome.failure.contains("curl error 7"))
  }

  @Test func alwaysFailingServerStopsAtTheDeadline() throws {
    let server = try HealthchecksServer(checks: [uuid])
    try server.inject(Array(repeating: ["status": 500], count: 50))
    let (p, _) = try pinger(server, attempts: 50)
    let started = Date()
    let outcome = ping(p, deadline: 3)
    #expect(!outcome.delivered)
    #expect(Date().timeIntervalSince(started) <= 3.2)
  }

  @Test func learnsTheServersBodyLimit() throws {
    let server = try HealthchecksServer(checks: [uuid], pingBodyLimit: 1000)
    try server.inject([["status": 500]])
    let (p, _) = try pinger(server)
    let outcome = p.ping(
      success: true, rid: nil, bodyLimit: 100_000, deadline: Deadline(secondsFromNow: 10)
    ) {
      [UInt8](repeating: 0x61, count: min($0, 5000))
    }
    #expect(outcome.delivered && outcome.serverBodyLimit == 1000)
    // The retry after the first answer is cut to the server's limit.
    #expect(try server.requests().map(\.bodyLength) == [5000, 1000])
  }
}
