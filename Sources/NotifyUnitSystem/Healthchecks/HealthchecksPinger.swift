import NotifyUnitCore

#if canImport(Glibc)
  import Glibc
#endif

/// Sends a finish ping to a Healthchecks check, retrying by `RetryPolicy`,
/// all within the run's deadline. Everything it says names the check only
/// in its redacted form.
public struct HealthchecksPinger {
  public var target: PingTarget
  public var policy: RetryPolicy
  /// One request's limit; each try gets the smaller of this and the time left.
  public var requestTimeout: Double
  /// Progress lines (each try, each wait), for stderr and the journal.
  public var log: (String) -> Void

  /// Below this much time left, another request is not started.
  static let minimumRequestTime = 0.25

  public init(
    target: PingTarget, policy: RetryPolicy, requestTimeout: Double,
    log: @escaping (String) -> Void
  ) {
    self.target = target
    self.policy = policy
    self.requestTimeout = requestTimeout
    self.log = log
  }

  public struct Outcome: Sendable {
    public var delivered: Bool
    public var attempts: Int
    /// A 4xx other than 408/429: retrying later will not help either.
    public var permanent: Bool
    /// One line: why the ping was not delivered (redacted), or "".
    public var failure: String
    /// The server's Ping-Body-Limit, when it sent one.
    public var serverBodyLimit: Int?
    /// The size of the body the last try sent.
    public var sentBodyBytes = 0
  }

  public static var userAgent: String { "notify-unit/\(NotifyUnitVersion.string)" }

  /// `body(limit)` makes the body for a byte limit; the limit starts at
  /// `bodyLimit` and shrinks to the server's Ping-Body-Limit once known.
  public func ping(
    success: Bool, rid: String?, bodyLimit: Int, deadline: Deadline,
    body: (Int) -> [UInt8]
  ) -> Outcome {
    ping(
      url: target.url(success: success, rid: rid),
      shown: target.redactedURL(success: success, rid: rid), bodyLimit: bodyLimit,
      deadline: deadline, body: body)
  }

  /// Pings `url` (shown as `shown`), with retries.
  public func ping(
    url: String, shown: String, bodyLimit: Int, deadline: Deadline, body: (Int) -> [UInt8]
  ) -> Outcome {
    var limit = bodyLimit
    var outcome = Outcome(delivered: false, attempts: 0, permanent: false, failure: "")
    var attempt = 0
    while true {
      attempt += 1
      let timeLeft = deadline.remaining
      guard timeLeft >= Self.minimumRequestTime else {
        outcome.failure =
          "the run's deadline passed before the ping could be sent"
          + (outcome.failure.isEmpty ? "" : " (last error: \(outcome.failure))")
        return outcome
      }
      let bytes = body(limit)
      let request = HTTPRequest(
        url: url, body: bytes, timeout: min(requestTimeout, timeLeft),
        userAgent: Self.userAgent)
      outcome.attempts = attempt
      outcome.sentBodyBytes = bytes.count
      let result: RetryPolicy.Attempt
      switch HTTPClient.perform(request) {
      case .success(let response):
        if let header = response.headers["ping-body-limit"], let n = Int(header), n >= 0 {
          outcome.serverBodyLimit = n
          limit = min(limit, n)
        }
        result = .answered(status: response.status, retryAfter: response.headers["retry-after"])
        if (200..<300).contains(response.status) {
          // A first try that went through is the usual case: quiet.
          if attempt > 1 { log("ping \(shown): HTTP \(response.status) on try \(attempt)") }
          outcome.delivered = true
          outcome.failure = ""
          return outcome
        }
        let text = String(decoding: response.body.prefix(200), as: UTF8.self)
          .sanitizedForDisplay(maxLength: 200)
        outcome.failure = target.scrub("HTTP \(response.status) \(text)")
      case .failure(let error):
        result = .transportError(retriable: error.isRetriable)
        outcome.failure = target.scrub(error.message)
      }
      let now = Double(time(nil))
      switch policy.decide(result, attempt: attempt, jitter: Double.random(in: 0...1), now: now) {
      case .done:
        outcome.delivered = true
        return outcome
      case .giveUp:
        if case .answered(let status, _) = result, (400..<500).contains(status) {
          outcome.permanent = !RetryPolicy.retriableStatuses.contains(status)
        }
        log("ping \(shown): \(outcome.failure) on try \(attempt); giving up")
        return outcome
      case .retry(let delay):
        guard delay + Self.minimumRequestTime < deadline.remaining else {
          log("ping \(shown): \(outcome.failure) on try \(attempt); no time left to retry")
          outcome.failure += "; no time left before the deadline to retry"
          return outcome
        }
        log(
          "ping \(shown): \(outcome.failure) on try \(attempt); retrying in \(formatDuration(delay))"
        )
        sleep(seconds: delay)
      }
    }
  }
}

/// Sleeps, resuming after signals, for `seconds`.
func sleep(seconds: Double) {
  var request = timespec(
    tv_sec: Int(seconds), tv_nsec: Int((seconds - Double(Int(seconds))) * 1e9))
  var remaining = timespec()
  while nanosleep(&request, &remaining) != 0, errno == EINTR { request = remaining }
}
