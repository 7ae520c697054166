import NotifyUnitCore

#if canImport(Glibc)
  import Glibc
#endif

/// A POST that must arrive: tried again by `RetryPolicy` (timeouts, refused
/// connections, 408/429/5xx, a Retry-After honoured), all within the run's
/// deadline; any other 4xx is a refusal that trying again will not change.
/// What it says names the target only as `shown` (no secret) and passes
/// every error through `scrub`.
public struct HTTPDelivery {
  public var policy: RetryPolicy
  /// One request's limit; each try gets the smaller of this and the time left.
  public var requestTimeout: Double
  /// The target as it may be shown: its host, never a token or a topic.
  public var shown: String
  public var scrub: (String) -> String
  public var log: (String) -> Void

  /// Below this much time left, another request is not started.
  static let minimumRequestTime = 0.25

  public init(
    policy: RetryPolicy, requestTimeout: Double, shown: String,
    scrub: @escaping (String) -> String, log: @escaping (String) -> Void
  ) {
    self.policy = policy
    self.requestTimeout = requestTimeout
    self.shown = shown
    self.scrub = scrub
    self.log = log
  }

  public struct Outcome: Sendable {
    public var delivered = false
    public var attempts = 0
    /// Refused for good: a 4xx other than 408 and 429.
    public var permanent = false
    /// One line: why it was not delivered (scrubbed), or "".
    public var failure = ""
  }

  public func post(_ template: HTTPRequest, deadline: Deadline) -> Outcome {
    post(deadline: deadline) { timeout in
      var request = template
      request.timeout = timeout
      return request
    }
  }

  /// The same for a request that may change between tries:
  /// `makeRequest(timeout)` builds each one, and `observe` sees every
  /// answer before it is judged (a ping's body shrinks to the limit the
  /// server's first answer states).
  public func post(
    deadline: Deadline, makeRequest: (_ timeout: Double) -> HTTPRequest,
    observe: (HTTPResponse) -> Void = { _ in }
  ) -> Outcome {
    var outcome = Outcome()
    while true {
      outcome.attempts += 1
      let attempt = outcome.attempts
      let timeLeft = deadline.remaining
      guard timeLeft >= Self.minimumRequestTime else {
        outcome.failure =
          "the run's deadline passed before it could be sent"
          + (outcome.failure.isEmpty ? "" : " (last error: \(outcome.failure))")
        return outcome
      }
      let request = makeRequest(min(requestTimeout, timeLeft))
      let result: RetryPolicy.Attempt
      switch HTTPClient.perform(request) {
      case .success(let response):
        observe(response)
        if (200..<300).contains(response.status) {
          outcome.delivered = true
          outcome.failure = ""
          return outcome
        }
        result = .answered(status: response.status, retryAfter: response.headers.retryAfter)
        outcome.failure = HTTPFailureText.line(
          status: response.status, body: response.body, credentials: request.credentials,
          scrub: scrub)
      case .failure(let error):
        result = .transportError(retriable: error.isRetriable)
        outcome.failure = scrub(request.scrubbingCredentials(error.message))
        if error.isRefusal {
          outcome.permanent = true
          log("\(shown): \(outcome.failure)")
          return outcome
        }
      }
      switch policy.decide(
        result, attempt: attempt, jitter: Double.random(in: 0...1), now: Double(time(nil)))
      {
      case .done:
        outcome.delivered = true
        return outcome
      case .giveUp:
        if case .answered(let status, _) = result, (400..<500).contains(status) {
          outcome.permanent = !RetryPolicy.retriableStatuses.contains(status)
        }
        log("\(shown): \(outcome.failure) on try \(attempt); giving up")
        return outcome
      case .retry(let delay):
        guard delay + Self.minimumRequestTime < deadline.remaining else {
          log("\(shown): \(outcome.failure) on try \(attempt); no time left to retry")
          outcome.failure += "; no time left before the deadline to retry"
          return outcome
        }
        log("\(shown): \(outcome.failure) on try \(attempt); retrying in \(formatDuration(delay))")
        sleep(seconds: delay)
      }
    }
  }
}
