import NotifyUnitCore
import NotifyUnitSystem

#if canImport(Glibc)
  import Glibc
#endif

/// Delivers what the spool holds, oldest first, before a run's own report
/// (and for `notify-unit flush`). Mails keep their order: after the first
/// that fails again, the other mails wait for the next flush. Pings keep
/// their order per check: one stuck ping holds back only later pings of
/// its own check, and a state ping followed by a newer state ping of the
/// same check goes out as `/log` (`SupersededPings`). A ping keeps its rid
/// and says when it was due. Entries older than SPOOL_MAX_AGE are dropped,
/// and each drop is reported; so is every entry that still waits, with why.
public struct SpoolFlush {
  public let spool: Spool
  public let settings: Settings
  public let say: (String) -> Void

  public init(spool: Spool, settings: Settings, say: @escaping (String) -> Void) {
    self.spool = spool
    self.settings = settings
    self.say = say
  }

  public struct Result {
    public var delivered = 0
    /// Refused for good (a 4xx for a spooled ping) and removed: not delivered.
    public var dropped = 0
    public var remaining = 0
    /// Sentences for the next report: expiries and refusals.
    public var notes: [String] = []
    /// Why each entry still waits, one sentence each.
    public var waiting: [String] = []
    /// The spool could not be listed (said): what it holds is unknown.
    public var unreadable = false
    /// Files in the spool that notify-unit did not write (said at <3>).
    public var refused = 0
    /// What became of each entry this flush delivered or dropped, for the
    /// units' state and metrics (`FlushBookkeeping`).
    public var settled: [Settled] = []
  }

  /// One spooled report delivered late, or dropped for good.
  public struct Settled: Sendable, Equatable {
    public var unit: String
    /// The report's creation time (the entry's name): which run it was.
    public var created: UInt64
    /// "mail", "ping", or a request's channel ("ntfy", "webhook", ...).
    public var channel: String
    /// Nil when delivered; why it was dropped otherwise.
    public var dropped: String?
    /// Microseconds since the epoch.
    public var at: UInt64
  }

  enum Outcome {
    case delivered
    /// Refused for good: removed, not delivered.
    case dropped(String)
    case failed(String)
  }

  public func run(deadline: Deadline) -> Result {
    var result = Result()
    spool.sweep()
    // What holds the rest back: "mail", or a ping's check URL (never said).
    var blocked: [String: String] = [:]
    let renderer = LogRenderer(zone: .local)
    let now = Host.nowMicroseconds
    let entries: [Spool.Entry]
    do {
      let listing = try spool.listing()
      entries = listing.entries
      // Planted by another user, a link or a FIFO: never sent, never run.
      for refusal in listing.refused {
        say(Priority.error.tag("\(refusal): left in place, never delivered"))
      }
      result.refused = listing.refused.count
    } catch {
      say(Priority.error.tag("\(error): what waits there cannot be delivered"))
      result.unreadable = true
      return result
    }
    let pings = entries.map { $0.kind == .ping ? spool.ping($0) : nil }
    let requests = entries.map { $0.kind == .request ? spool.request($0) : nil }
    // The last state ping of each check waiting here: earlier ones are
    // superseded by it.
    var lastStatePing: [String: Int] = [:]
    for (index, ping) in pings.enumerated() {
      if let ping, SupersededPings.isStateChange(ping.url) {
        lastStatePing[Spool.checkURL(ofPing: ping.url)] = index
      }
    }

    for (index, entry) in entries.enumerated() {
      let due = renderer.timestamp(entry.created)
      let kind = requests[index]?.channel ?? entry.kind.rawValue
      let what =
        "a \(kind) report of \(entry.unit.sanitizedForDisplay(maxLength: 100)) due at \(due)"
      func wait(_ why: String) {
        result.remaining += 1
        result.waiting.append("\(what) waits: \(why)")
        say(Priority.warning.tag("\(what) waits: \(why)"))
      }
      let queue: String
      if entry.kind == .ping {
        guard let ping = pings[index] else {
          wait("its file cannot be read")
          continue
        }
        queue = Spool.checkURL(ofPing: ping.url)
      } else if entry.kind == .request {
        guard let request = requests[index] else {
          wait("its file cannot be read")
          continue
        }
        queue = request.queue
      } else {
        queue = "mail"
      }
      if let why = blocked[queue] {
        wait(why)
        continue
      }
      guard !deadline.hasPassed else {
        wait("no time was left in this flush")
        continue
      }
      let claim: Spool.Claim
      switch spool.claim(entry.path) {
      case .gone:
        continue  // sent and removed by another process since the listing
      case .busy:
        // Being sent by a run that is still going: not twice, and not overtaken.
        let why = "an earlier \(entry.kind.rawValue) report is being sent by another process"
        blocked[queue] = why
        wait("it is being sent by another process")
        continue
      case .refused(let why):
        say(Priority.error.tag("\(why): left in place, never delivered"))
        result.refused += 1
        continue
      case .claimed(let c):
        claim = c
      }
      defer { claim.release() }
      if Double(now - min(now, entry.created)) / 1e6 > settings.spoolMaxAge {
        spool.remove(entry)
        let note =
          "A \(entry.kind.rawValue) report of \(entry.unit) due at \(due) could not be delivered for \(formatDuration(settings.spoolMaxAge)) and was dropped (SPOOL_MAX_AGE)."
        say(Priority.warning.tag(note))
        result.notes.append(note)
        result.settled.append(
          Settled(
            unit: entry.unit, created: entry.created, channel: kind,
            dropped: "older than SPOOL_MAX_AGE", at: Host.nowMicroseconds))
        continue
      }
      let superseded =
        entry.kind == .ping && pings[index].map { SupersededPings.isStateChange($0.url) } == true
        && lastStatePing[queue].map { $0 > index } == true
      let outcome: Outcome
      if let request = requests[index] {
        switch RequestSpooling.tryOnce(request, settings: settings, deadline: deadline) {
        case .delivered: outcome = .delivered
        case .refused(let why, _): outcome = .dropped(why)
        case .spooled(let why), .retryLater(let why): outcome = .failed(why)
        }
      } else {
        outcome = deliver(
          entry, ping: pings[index], superseded: superseded, due: due, deadline: deadline)
      }
      switch outcome {
      case .delivered:
        spool.remove(entry)
        result.delivered += 1
        result.settled.append(
          Settled(
            unit: entry.unit, created: entry.created, channel: kind, dropped: nil,
            at: Host.nowMicroseconds))
        say("delivered a spooled \(entry.kind.rawValue) report of \(entry.unit), due at \(due)")
      case .dropped(let why):
        spool.remove(entry)
        result.dropped += 1
        result.settled.append(
          Settled(
            unit: entry.unit, created: entry.created, channel: kind, dropped: why,
            at: Host.nowMicroseconds))
        let note = "A \(kind) report of \(entry.unit) due at \(due) was dropped: \(why)."
        say(Priority.warning.tag(note))
        result.notes.append(note)
      case .failed(let why):
        blocked[queue] = "an earlier \(entry.kind.rawValue) report is not taken yet"
        wait(why)
        do {
          try spool.setReason(entry.path, why)
        } catch {
          say(Priority.warning.tag("\(error): the entry keeps its older reason"))
        }
      }
    }
    return result
  }

  func deliver(
    _ entry: Spool.Entry, ping: (url: String, body: [UInt8])?, superseded: Bool, due: String,
    deadline: Deadline
  ) -> Outcome {
    switch entry.kind {
    case .request:
      return .failed("its file cannot be read")
    case .mail:
      let header = Array("X-Notify-Unit-Delayed: spooled, due at \(due)\n".utf8)
      do {
        try mailTransport(settings, host: Host.name).send(
          file: entry.path, headers: header, deadline: deadline.capped(to: 30))
        return .delivered
      } catch {
        return .failed("still not taken: \(error)")
      }
    case .ping:
      guard let (url, body) = ping else { return .failed("its file cannot be read") }
      let note =
        superseded
        ? SupersededPings.note(url, due: due) : "note: delayed, this ping was due at \(due)\n"
      let request = HTTPRequest(
        url: superseded ? SupersededPings.logURL(url) : url, body: Array(note.utf8) + body,
        timeout: min(settings.pingTimeout, max(0.1, deadline.remaining)),
        userAgent: HealthchecksPinger.userAgent)
      switch HTTPClient.perform(request) {
      case .success(let response) where (200..<300).contains(response.status):
        return .delivered
      case .success(let response)
      where (400..<500).contains(response.status)
        && !RetryPolicy.retriableStatuses.contains(response.status):
        // Refused for good (an unknown check): keeping it would block the
        // rest of its check, and a retry cannot fix it.
        return .dropped("the server refused it with HTTP \(response.status)")
      case .success(let response):
        return .failed("the server answered HTTP \(response.status)")
      case .failure(let error):
        // Only curl's code: its message may quote the URL, which holds the check.
        return .failed("no answer from the server (curl error \(error.code))")
      }
    }
  }
}
