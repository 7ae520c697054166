/// When a ping is tried again, and after how long. Follows Healthchecks'
/// advice and runitor: retry timeouts, connection errors, 408, 429 and 5xx
/// with growing back-off and jitter; never other 4xx, which a retry cannot
/// fix (an unknown check answers 404).
public struct RetryPolicy: Sendable, Equatable {
  /// Attempts in all, the first included.
  public var maxAttempts: Int
  /// The first back-off; each next one doubles, up to `maxDelay`.
  public var baseDelay: Double
  public var maxDelay: Double

  public init(maxAttempts: Int = 5, baseDelay: Double = 1, maxDelay: Double = 16) {
    self.maxAttempts = max(1, maxAttempts)
    self.baseDelay = baseDelay
    self.maxDelay = maxDelay
  }

  /// Statuses worth another try.
  public static let retriableStatuses: Set<Int> = [408, 429, 500, 502, 503, 504]

  public enum Attempt: Sendable, Equatable {
    /// The server answered with this status and Retry-After header (if any).
    case answered(status: Int, retryAfter: String?)
    /// No answer: timeout, refused, reset, DNS failure. `retriable` is false
    /// for errors no retry can fix (a malformed URL, say).
    case transportError(retriable: Bool)
  }

  public enum Decision: Sendable, Equatable {
    case done
    case retry(afterSeconds: Double)
    case giveUp
  }

  /// `attempt` is 1 for the first try; `jitter` is in 0...1 (random in use,
  /// fixed in tests); `now` is the epoch time for Retry-After dates.
  public func decide(
    _ result: Attempt, attempt: Int, jitter: Double, now: Double = 0
  ) -> Decision {
    switch result {
    case .answered(let status, _) where (200..<300).contains(status):
      return .done
    case .answered(let status, let retryAfter):
      guard Self.retriableStatuses.contains(status) || (500..<600).contains(status),
        attempt < maxAttempts
      else { return .giveUp }
      let backoff = delay(attempt: attempt, jitter: jitter)
      if let wait = retryAfter.flatMap({ Self.retryAfterSeconds($0, now: now) }) {
        return .retry(afterSeconds: max(wait, backoff))
      }
      return .retry(afterSeconds: backoff)
    case .transportError(let retriable):
      guard retriable, attempt < maxAttempts else { return .giveUp }
      return .retry(afterSeconds: delay(attempt: attempt, jitter: jitter))
    }
  }

  /// base * 2^(attempt-1), capped, scaled into [50%, 100%] by jitter so that
  /// many hosts failing together do not retry in lockstep.
  public func delay(attempt: Int, jitter: Double) -> Double {
    var d = baseDelay
    for _ in 1..<max(attempt, 1) { d = min(d * 2, maxDelay) }
    return min(d, maxDelay) * (0.5 + 0.5 * min(max(jitter, 0), 1))
  }

  /// Retry-After: delay-seconds or an HTTP-date (RFC 9110 §10.2.3).
  public static func retryAfterSeconds(_ value: String, now: Double) -> Double? {
    let v = value.trimmingASCIIWhitespace
    // delay-seconds is 1*DIGIT: digits only, a huge one saturated.
    if let seconds = decimalCount(v.utf8) { return Double(seconds) }
    guard let date = HTTPDate.parse(v) else { return nil }
    return max(0, date - now)
  }
}

/// IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"), the HTTP-date every
/// server sends today.
public enum HTTPDate {
  public static func parse(_ s: String) -> Double? {
    let parts = s.split(separator: " ")
    // Bounded before any arithmetic: the server's numbers cannot trap.
    guard parts.count == 6, parts[5] == "GMT", let day = Int(parts[1]), (1...31).contains(day),
      let year = Int(parts[3]), (1...9999).contains(year)
    else { return nil }
    let months = [
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ]
    guard let monthIndex = months.firstIndex(of: String(parts[2])) else { return nil }
    let hms = parts[4].split(separator: ":").compactMap { Int($0) }
    guard hms.count == 3, (0...23).contains(hms[0]), (0...59).contains(hms[1]),
      (0...60).contains(hms[2])
    else { return nil }
    let days = daysFromCivil(year: year, month: monthIndex + 1, day: day)
    return Double(days * 86400 + hms[0] * 3600 + hms[1] * 60 + hms[2])
  }

  /// Days since 1970-01-01 (Howard Hinnant's algorithm).
  static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
    let y = month <= 2 ? year - 1 : year
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    return era * 146097 + doe - 719468
  }
}
