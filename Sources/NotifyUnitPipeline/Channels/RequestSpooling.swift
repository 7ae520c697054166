import NotifyUnitCore
import NotifyUnitSystem

/// The spool's part for channels whose report is one request (ntfy, a
/// webhook, Apprise), as mail and pings have it: in the spool before it is
/// sent, locked meanwhile (a run killed half-way loses nothing, a flush
/// elsewhere cannot send it twice), removed once delivered or refused for
/// good; kept with its reason when it may pass later. Reports to one
/// destination keep their order: behind one still waiting, a new one waits.
enum RequestSpooling {
  static func deliver(
    _ request: SpooledRequest, unit: String, created: UInt64, spool: Spool?,
    log: (String) -> Void, send: () -> ChannelResult
  ) -> ChannelResult {
    guard let spool else { return send() }
    let waiting: Bool
    do {
      waiting = try spool.entries().contains { entry in
        entry.kind == .request && spool.request(entry)?.queue == request.queue
      }
    } catch {
      // Its order cannot be known: sent now, said, and kept if it fails.
      log(
        Priority.warning.tag("\(error): this \(request.channel) report may overtake an earlier one")
      )
      waiting = false
    }
    let claim: Spool.Claim
    do {
      claim = try spool.addRequest(
        request, unit: unit, created: created,
        reason: waiting
          ? "an earlier \(request.channel) report is still waiting"
          : "notify-unit stopped before the \(request.channel) report was delivered")
    } catch {
      log(Priority.warning.tag("\(error): an undelivered \(request.channel) report cannot be kept"))
      return send()
    }
    defer { claim.release() }
    if let problem = claim.reasonProblem { log(Priority.warning.tag(problem)) }
    if waiting {
      log(Priority.warning.tag("\(request.channel) report kept in the spool behind an earlier one"))
      return .spooled(reason: "an earlier \(request.channel) report is still waiting")
    }
    let result = send()
    switch result {
    case .delivered, .refused(_, kept: false):
      spool.remove(path: claim.path)
      return result
    case .spooled(let reason), .retryLater(let reason), .refused(let reason, kept: true):
      do {
        try spool.setReason(claim.path, reason)
      } catch {
        log(Priority.warning.tag("\(error): the spooled report keeps an older reason"))
      }
      log(Priority.warning.tag("\(request.channel) report kept in the spool for the next run"))
      return .spooled(reason: reason)
    }
  }

  /// POSTs `request` as a channel does, with the pings' retries within the
  /// deadline; says what became of it, naming the target as `url.shown`.
  static func post(
    _ request: SpooledRequest, to url: WebURL, settings: Settings, deadline: Deadline,
    log: @escaping (String) -> Void
  ) -> ChannelResult {
    let shown = "\(request.channel) \(url.shown)"
    let sender = HTTPDelivery(
      policy: RetryPolicy(maxAttempts: settings.pingRetries + 1),
      requestTimeout: settings.pingTimeout, shown: shown, scrub: url.scrub, log: log)
    let outcome = sender.post(
      HTTPRequest(request, timeout: settings.pingTimeout), deadline: deadline)
    if outcome.delivered {
      log("\(shown): delivered on try \(outcome.attempts)")
      return .delivered
    }
    log(
      Priority.warning.tag(
        "\(shown): not delivered after \(outcome.attempts) tries: \(outcome.failure)"))
    return outcome.permanent
      ? .refused(reason: outcome.failure, kept: false) : .retryLater(reason: outcome.failure)
  }

  /// One try of a request, for the flush: delivered, refused for good, or
  /// failed (it stays).
  static func tryOnce(_ request: SpooledRequest, settings: Settings, deadline: Deadline)
    -> ChannelResult
  {
    // A command is named by its channel: its program and URL file come
    // from this flush's settings, never from the spool file.
    if request.channel == AppriseChannel.channelName {
      return AppriseChannel.retry(request, settings: settings, deadline: deadline)
    }
    let timeout = min(settings.pingTimeout, max(0.1, deadline.remaining))
    let http = HTTPRequest(request, timeout: timeout)
    switch HTTPClient.perform(http) {
    case .success(let response) where (200..<300).contains(response.status):
      return .delivered
    case .success(let response)
    where (400..<500).contains(response.status)
      && !RetryPolicy.retriableStatuses.contains(response.status):
      return .refused(reason: "the server refused it with HTTP \(response.status)", kept: false)
    case .success(let response):
      return .retryLater(reason: "the server answered HTTP \(response.status)")
    case .failure(let error):
      // Only curl's code: its message may quote the URL, a secret.
      return .retryLater(reason: "no answer from the server (curl error \(error.code))")
    }
  }
}

extension HTTPRequest {
  /// The POST a spooled request stands for.
  init(_ request: SpooledRequest, timeout: Double) {
    self.init(
      url: request.target, body: request.body, timeout: timeout,
      userAgent: HealthchecksPinger.userAgent)
    contentType = request.contentType
    headers = request.headers.map { ($0.name, $0.value) }
  }
}
