import NotifyUnitCore
import NotifyUnitSystem

#if canImport(Glibc)
  import Glibc
#endif

/// The report as a Healthchecks ping at the verdict's endpoint (success,
/// the exit status, /fail or /log: `PingTarget.finishPath`), with the run as
/// `rid` and the log's tail as the body, retried within the deadline and
/// kept in the spool when every try failed.
public struct HealthchecksChannel: Channel {
  /// Tries of a finish ping that has a spool to wait in, and the longest
  /// each may take: then it is left to the flush.
  public static let quickTries = 2
  public static let quickRequestSeconds = 4.0
  public let name = "ping"
  public let policyKey = "HC_ON"
  public let wantsLogArchive = false
  /// Healthchecks must see every run; it does not re-alert while down.
  public let followsAlerts = false
  public var target: PingTarget
  public var settings: Settings
  /// Where each server's Ping-Body-Limit is remembered; nil: nowhere, the
  /// body is cut for PING_BODY_LIMIT and a cut one followed up every time.
  public var bodyLimits: PingBodyLimitStore?
  public var log: (String) -> Void

  public init(
    target: PingTarget, settings: Settings, bodyLimits: PingBodyLimitStore? = nil,
    log: @escaping (String) -> Void = say
  ) {
    self.target = target
    self.settings = settings
    self.bodyLimits = bodyLimits
    self.log = log
  }

  public func deliver(_ delivery: Delivery, deadline: Deadline) -> ChannelResult {
    let report = delivery.report
    let unit = report.unit
    // A failure before ALERT_AFTER's: logged, the check stays up.
    let path =
      report.alert.isBuilding
      ? "/log"
      : PingTarget.finishPath(
        verdict: report.verdict, mainProcess: report.outcome.mainProcess,
        result: report.outcome.result)
    let rid = report.invocationID.flatMap(ridFromInvocationID)
    let url = target.url(path: path, rid: rid)
    let shown = target.redactedURL(path: path, rid: rid)
    // The body is cut for the limit this server announced before (kept in
    // the state directory), else for PING_BODY_LIMIT, saying so: every body
    // below is made for it.
    let origin = PingBodyLimits.origin(of: target.successURL)
    let known = origin.flatMap { bodyLimits?.limit(for: $0) }
    var settings = self.settings
    settings.pingBodyLimit = known ?? self.settings.pingBodyLimit
    var extraNotes = delivery.earlierFailures
    if known == nil {
      extraNotes.append(PingBodyFollowUp.assumedLimitNote(settings.pingBodyLimit))
    }
    let makeBody = { [extraNotes] (limit: Int) in
      PingBody.make(report: report, limit: limit, extraNotes: extraNotes)
    }
    if delivery.dryRun {
      let body = makeBody(settings.pingBodyLimit)
      Host.printError("ping: POST \(shown) (\(body.count) bytes)")
      Host.printError(String(decoding: body, as: UTF8.self))
      return .delivered
    }
    let spool = delivery.spool
    // Pings keep their order per check, and the newest state wins: older
    // state pings of this check still waiting go out as /log (see
    // SupersededPings), never after this one as a state change.
    if let spool, SupersededPings.isStateChange(url) {
      for problem in SupersededPings.demoteWaiting(
        in: spool, checkURL: target.successURL, renderer: LogRenderer(zone: .local),
        deadline: deadline)
      {
        log(Priority.warning.tag(problem))
      }
    }
    // In the spool before it is sent (see MailChannel), removed once done.
    var pending: (path: String, lock: Int32?)? = nil
    if let spool {
      do {
        let claim = try spool.addPing(
          url: url, unit: unit, created: report.createdAt,
          body: makeBody(settings.pingBodyLimit),
          reason: "notify-unit stopped before the ping was answered")
        pending = (claim.path, claim.lock)
        if let problem = claim.reasonProblem { log(Priority.warning.tag(problem)) }
      } catch {
        log(Priority.warning.tag("\(error): the ping is not kept in the spool while it is sent"))
      }
    }
    defer { if let fd = pending?.lock { close(fd) } }
    // With the ping in the spool, a Healthchecks that is down does not hold
    // the unit's stop: two quick tries, then the flush delivers it.
    let spooled = pending != nil
    let pinger = HealthchecksPinger(
      target: target,
      policy: spooled
        ? RetryPolicy(
          maxAttempts: min(settings.pingRetries + 1, Self.quickTries), baseDelay: 0.5, maxDelay: 1)
        : RetryPolicy(maxAttempts: settings.pingRetries + 1),
      requestTimeout: spooled
        ? min(settings.pingTimeout, Self.quickRequestSeconds) : settings.pingTimeout, log: log)
    let outcome = pinger.ping(
      url: url, shown: shown, bodyLimit: settings.pingBodyLimit, deadline: deadline,
      body: makeBody)
    if let server = outcome.serverBodyLimit {
      learn(server, origin: origin)
      if outcome.delivered,
        let limit = PingBodyFollowUp.needed(sent: outcome.sentBodyBytes, serverLimit: server)
      {
        followUp(
          report: report, rid: rid, limit: limit,
          note: PingBodyFollowUp.followUpNote(
            kept: limit, sent: outcome.sentBodyBytes, path: path),
          notes: delivery.earlierFailures, pinger: pinger, deadline: deadline)
      }
    }
    if outcome.delivered || outcome.permanent, let pending { spool?.remove(path: pending.path) }
    if outcome.delivered { return .delivered }
    let failure = "ping not delivered after \(outcome.attempts) tries: \(outcome.failure)"
    log(Priority.warning.tag(failure))
    // A refusal (4xx) will not pass by itself: loud, not spooled.
    guard !outcome.permanent else { return .refused(reason: outcome.failure, kept: false) }
    guard let spool, let pending else { return .retryLater(reason: outcome.failure) }
    do {
      try spool.setReason(pending.path, outcome.failure)
    } catch {
      log(Priority.warning.tag("\(error): the spooled ping keeps its first reason"))
    }
    log("ping kept in the spool for the next run")
    return .spooled(reason: outcome.failure)
  }

  /// Remembers the server's limit when it is new or changed.
  func learn(_ limit: Int, origin: String?) {
    guard let origin, let bodyLimits else { return }
    do {
      if try bodyLimits.learn(limit, for: origin) {
        log("the server keeps \(limit) bytes of a ping body: the next bodies are cut for it")
      }
    } catch {
      log("\(error): the server's ping body limit is not remembered")
    }
  }

  /// The log's tail within what the server keeps, as a `/log` ping of the
  /// same run, which changes no state: what the server stored of the
  /// finish ping ended mid-log. Best effort: the finish ping is delivered.
  func followUp(
    report: Report, rid: String?, limit: Int, note: String, notes: [String],
    pinger: HealthchecksPinger, deadline: Deadline
  ) {
    let outcome = pinger.ping(
      url: target.url(path: "/log", rid: rid), shown: target.redactedURL(path: "/log", rid: rid),
      bodyLimit: limit, deadline: deadline
    ) { limit in PingBody.make(report: report, limit: limit, extraNotes: notes + [note]) }
    if !outcome.delivered {
      log("the log's tail could not follow the cut ping: \(outcome.failure)")
    }
  }
}
