import NotifyUnitCore
import NotifyUnitSystem

#if canImport(Glibc)
  import Glibc
#endif

/// Delivers what the spool holds, oldest first, before a run's own report
/// (and for `notify-unit flush`). Mails and pings keep their order: after
/// the first that fails again, the rest of that kind waits for the next
/// flush. A ping keeps its rid and says when it was due. Entries older than
/// SPOOL_MAX_AGE are dropped, and each drop is reported.
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
    public var remaining = 0
    /// Sentences for the next report: expiries.
    public var notes: [String] = []
  }

  public func run(deadline: Deadline) -> Result {
    var result = Result()
    var blocked: Set<String> = []
    let renderer = LogRenderer(zone: .local)
    let now = Host.nowMicroseconds
    for entry in spool.entries() {
      let due = renderer.timestamp(entry.created)
      if Double(now - min(now, entry.created)) / 1e6 > settings.spoolMaxAge {
        spool.remove(entry)
        let note =
          "A \(entry.kind.rawValue) report of \(entry.unit) due at \(due) could not be delivered for \(formatDuration(settings.spoolMaxAge)) and was dropped (SPOOL_MAX_AGE)."
        say(note)
        result.notes.append(note)
        continue
      }
      guard !blocked.contains(entry.kind.rawValue), !deadline.hasPassed else {
        result.remaining += 1
        continue
      }
      // Being sent by a run that is still going: not twice, and not overtaken.
      guard let lock = spool.lock(entry.path) else {
        blocked.insert(entry.kind.rawValue)
        result.remaining += 1
        continue
      }
      defer { close(lock) }
      if deliver(entry, due: due, deadline: deadline) {
        spool.remove(entry)
        result.delivered += 1
        say("delivered a spooled \(entry.kind.rawValue) report of \(entry.unit), due at \(due)")
      } else {
        blocked.insert(entry.kind.rawValue)
        result.remaining += 1
      }
    }
    return result
  }

  func deliver(_ entry: Spool.Entry, due: String, deadline: Deadline) -> Bool {
    switch entry.kind {
    case .mail:
      let header = Array("X-Notify-Unit-Delayed: spooled, due at \(due)\n".utf8)
      do {
        try mailTransport(settings, host: Host.name).send(
          file: entry.path, headers: header, deadline: deadline.capped(to: 30))
        return true
      } catch {
        say("a spooled mail of \(entry.unit) is still not taken: \(error)")
        return false
      }
    case .ping:
      guard let (url, body) = spool.ping(entry) else { return false }
      let request = HTTPRequest(
        url: url, body: Array("note: delayed, this ping was due at \(due)\n".utf8) + body,
        timeout: min(settings.pingTimeout, max(0.1, deadline.remaining)),
        userAgent: HealthchecksPinger.userAgent)
      switch HTTPClient.perform(request) {
      case .success(let response) where (200..<300).contains(response.status):
        return true
      case .success(let response)
      where (400..<500).contains(response.status)
        && !RetryPolicy.retriableStatuses.contains(response.status):
        // Refused for good (an unknown check): keeping it would block the rest.
        say("a spooled ping of \(entry.unit) was refused with HTTP \(response.status): dropped")
        return true
      default:
        return false
      }
    }
  }
}
