import NotifyUnitCore

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

  /// Pings `url` (shown as `shown`), with HTTPDelivery's retries; each
  /// try's body is made for the smallest limit known by then.
  public func ping(
    url: String, shown: String, bodyLimit: Int, deadline: Deadline, body: (Int) -> [UInt8]
  ) -> Outcome {
    var limit = bodyLimit
    var serverLimit: Int?
    var sent = 0
    let delivery = HTTPDelivery(
      policy: policy, requestTimeout: requestTimeout, shown: "ping \(shown)",
      scrub: target.scrub, log: log)
    let result = delivery.post(deadline: deadline) { timeout in
      let bytes = body(limit)
      sent = bytes.count
      return HTTPRequest(url: url, body: bytes, timeout: timeout, userAgent: Self.userAgent)
    } observe: { response in
      if let n = response.headers.pingBodyLimit {
        serverLimit = n
        limit = min(limit, n)
      }
    }
    // A first try that went through is the usual case: quiet.
    if result.delivered, result.attempts > 1 {
      log("ping \(shown): delivered on try \(result.attempts)")
    }
    return Outcome(
      delivered: result.delivered, attempts: result.attempts, permanent: result.permanent,
      failure: result.failure, serverBodyLimit: serverLimit, sentBodyBytes: sent)
  }
}
