import Testing

@testable import NotifyUnitCore

@Suite struct PingBodyLimitsTests {
  @Test func theOriginIsSchemeHostAndPortWithoutCredentialsOrCheck() {
    #expect(PingBodyLimits.origin(of: "https://hc-ping.com/abcd") == "https://hc-ping.com:443")
    #expect(
      PingBodyLimits.origin(of: "http://user:pw@HC.example:8000/ping/x")
        == "http://hc.example:8000")
    #expect(PingBodyLimits.origin(of: "http://[::1]/ping") == "http://[::1]:80")
    #expect(PingBodyLimits.origin(of: "http://[::1]:81/ping") == "http://[::1]:81")
    #expect(PingBodyLimits.origin(of: "ftp://x/y") == nil)
  }

  @Test func limitsRoundTripAndChangesAreSeen() throws {
    var limits = PingBodyLimits()
    let changes = [
      limits.learn(10_000, for: "http://a:80"), limits.learn(10_000, for: "http://a:80"),
      limits.learn(5_000, for: "http://a:80"), limits.learn(100_000, for: "https://b:443"),
    ]
    #expect(changes == [true, false, true, true])
    let parsed = try #require(PingBodyLimits.parse(limits.formatted))
    #expect(parsed == limits)
    #expect(parsed.limit(for: "http://a:80") == 5_000)
    #expect(PingBodyLimits.parse("something else\n") == nil)
    #expect(PingBodyLimits.parse("notify-unit-ping-body-limits 1\nhttp://a:80 x\n") == nil)
  }

  @Test func aFollowUpIsNeededOnlyWhenTheServerKeptLess() {
    #expect(PingBodyFollowUp.needed(sent: 96_000, serverLimit: 10_000) == 10_000)
    #expect(PingBodyFollowUp.needed(sent: 9_000, serverLimit: 10_000) == nil)
    #expect(PingBodyFollowUp.needed(sent: 10_000, serverLimit: 10_000) == nil)
    #expect(PingBodyFollowUp.needed(sent: 9_000, serverLimit: nil) == nil)
    #expect(PingBodyFollowUp.needed(sent: 9_000, serverLimit: 0) == nil)
  }
}

/// The header as libcurl hands it over, line by line.
@Suite struct HTTPResponseHeadersTests {
  @Test func theFinalAnswersHeadersAreRead() {
    var headers = HTTPResponseHeaders()
    for line in [
      "HTTP/1.1 100 Continue\r\n", "Ping-Body-Limit: 5\r\n", "\r\n", "HTTP/1.1 200 OK\r\n",
      "Ping-Body-Limit:\t 100000 \r\n", "Retry-After: 120\r\n", "retry-after: 30\r\n", "\r\n",
    ] {
      headers.take(line: Array(line.utf8))
    }
    #expect(headers.pingBodyLimit == 100_000)
    #expect(headers.retryAfter == "30")
    #expect(headers["ping-body-limit"] == "100000")
  }

  /// A server's number: digits only, a huge one saturated, never a trap.
  @Test func aPingBodyLimitIsDigitsOnly() {
    func limit(_ value: String) -> Int? {
      var headers = HTTPResponseHeaders()
      headers.take(line: Array("Ping-Body-Limit: \(value)\r\n".utf8))
      return headers.pingBodyLimit
    }
    #expect(limit("0") == 0)
    #expect(limit("99999999999999999999999") == Int.max)
    #expect(limit("+5") == nil)  // Int("+5") is 5
    #expect(limit("-1") == nil)
    #expect(limit("5 kB") == nil)
    #expect(limit("") == nil)
  }
}
