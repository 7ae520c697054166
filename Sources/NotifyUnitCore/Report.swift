/// Everything a notification says about one run: who, where, how it ended,
/// and a bounded view of its log. Built by reading the journal once; the full
/// log is streamed again from the journal when the mail needs it.
public struct Report: Sendable {
  public var unit: String
  public var host: String
  public var outcome: RunOutcome
  /// 32 lowercase hex digits, or `nil` when no invocation could be found.
  public var invocationID: String?
  public var firstTimestamp: UInt64?
  public var lastTimestamp: UInt64?
  /// Entries of the invocation found in the journal.
  public var lineCount = 0
  /// Size of the whole log in its exact form (what the attachment would hold).
  public var exactLogBytes = 0
  /// The last readable lines, bounded; filled in by `finish(renderer:)`.
  public private(set) var tail: LogTail
  /// Entries of `tail` too long for one readable line (shown cut, kept whole
  /// in the attachment).
  public private(set) var cutLineCount = 0
  /// Things the reader must know: an unreadable journal, a log that may be
  /// incomplete, a cut attachment. Each is one sentence.
  public var notes: [String] = []
  /// When the report was made, microseconds since the epoch.
  public var createdAt: UInt64
  /// What systemd says of the unit, when it could be asked.
  public var status: UnitStatus?
  /// How notify-unit was run: "ExecStopPost= (SERVICE_RESULT)", ...
  public var source: String?
  /// A success after a failure (MAIL_ON=change marks and mails it).
  public var recovered = false
  /// Where the run stands in its unit's failures in a row (ALERT_AFTER,
  /// REMIND_EVERY), and the words it puts in the headline: before the
  /// reason ("failed 3 runs in a row"), after "recovered" ("after 37
  /// failed runs over 2 d 3 h").
  public var alert = AlertStep.none
  public var alertPrefix: String? = nil
  public var recoveredFrom: String? = nil
  /// The job's own line saying why it failed or warned, found in its log.
  public private(set) var reasonFinder = FailureReason()
  /// systemd's line that it refused to start the unit after this run.
  public private(set) var refusalFinder = StartRefusal()
  /// restic's backup summary, when the log has one.
  public private(set) var resticFinder = ResticSummaryParser()
  /// Set when the run never finished because the machine stopped: the
  /// verdict is then `.interrupted`, whatever the outcome says.
  public var interruption: Interruption?

  /// The last entries as read, before rendering: rendering every line of a
  /// long log would be wasted on lines the tail drops again.
  private var recent: BoundedTail<RecentEntry>

  public init(
    unit: String, host: String, outcome: RunOutcome, invocationID: String?,
    tailCapacityBytes: Int, createdAt: UInt64
  ) {
    self.unit = unit
    self.host = host
    self.outcome = outcome
    self.invocationID = invocationID
    self.tail = LogTail(capacityBytes: tailCapacityBytes)
    self.recent = BoundedTail(capacityBytes: tailCapacityBytes)
    self.createdAt = createdAt
  }

  /// Adds one entry of the invocation, in journal order.
  public mutating func add(_ record: LogRecord, renderer: LogRenderer) {
    if firstTimestamp == nil { firstTimestamp = record.realtime }
    lastTimestamp = record.realtime
    lineCount += 1
    reasonFinder.add(record)
    refusalFinder.add(record)
    if record.identifier != FailureReason.systemd { resticFinder.add(record.message) }
    exactLogBytes += renderer.exactLineLength(record)
    recent.append(RecentEntry(record, keep: renderer.maxReadableLineBytes))
  }

  /// Renders the kept entries as readable lines into `tail`. Call once all
  /// entries are added.
  public mutating func finish(renderer: LogRenderer) {
    var line: [UInt8] = []
    for entry in recent.kept {
      line.removeAll(keepingCapacity: true)
      if renderer.appendReadableLine(entry.record, to: &line, fullLength: entry.fullLength) {
        cutLineCount += 1
      }
      tail.append(line)
    }
    recent = BoundedTail(capacityBytes: 0)
  }

  /// Time from the first to the last log line, in seconds.
  public var logSpanSeconds: Double? {
    guard let first = firstTimestamp, let last = lastTimestamp, last >= first else { return nil }
    return Double(last - first) / 1_000_000
  }

  /// What the run's end means: one verdict for every channel.
  public var verdict: Verdict { interruption == nil ? outcome.verdict : .interrupted }

  /// systemd refused to start the unit after this run (its journal says
  /// so), whatever the unit's Result.
  public var startRefused: Bool { refusalFinder.seen }

  /// What a restic backup in the run did, when its summary was in the log.
  public var resticSummary: ResticSummary? { resticFinder.summary }

  /// The job, when its log shows which: its exit statuses are named by it.
  public var job: KnownJob? { resticFinder.sawRestic ? .restic : nil }

  /// What the job means by its exit status, when it says (restic's 3).
  public var exitStatusMeaning: String? {
    guard case .exited(let status)? = outcome.mainProcess, status != 0 else { return nil }
    return job?.meaning(ofExitStatus: status)
  }

  /// Why systemd, not the job, ended the run: the machine stopped, or
  /// systemd refused a start. Then the job's lines are not the reason.
  public var systemdReason: String? {
    if interruption != nil { return Interruption.reason }
    guard outcome.result == .startLimitHit else { return nil }
    // NRestarts counts the restart systemd then refused as well (252, 257):
    // the unit ran that many times.
    if let runs = status?.restarts, runs > 0 {
      return
        "systemd stopped retrying the unit after \(runs) run\(runs == 1 ? "" : "s") (start limit)"
    }
    return "systemd refused to start the unit (start limit)"
  }

  /// Why the run failed (or warned), as the job said it, else nil.
  public var reason: String? {
    if let systemdReason { return systemdReason }
    switch verdict {
    case .failure, .interrupted: return reasonFinder.failure
    case .warning: return exitStatusMeaning ?? reasonFinder.warning
    case .success, .skipped: return nil
    }
  }

  /// The icon the subject starts with.
  public var icon: String { verdict.icon }

  /// One line, the reason up front: "💚 backup.service: success on nas",
  /// "⛔ backup.service: Fatal: wrong password or no key found (exit-code,
  /// status 1) on nas", "⚠️ backup.service: some source files could not be
  /// read (warning, status 3) on nas"; a restic backup's success says what
  /// it did: "💚 backup.service: snapshot 8c71d5e0, +1.204 GiB on nas".
  public var headline: String {
    let word: String
    switch verdict {
    case .success:
      let done = resticSummary?.headline
      let recovery = (["recovered"] + (recoveredFrom.map { [$0] } ?? [])).joined(separator: " ")
      word =
        recovered
        ? ([recovery] + (done.map { [$0] } ?? [])).joined(separator: ", ")
        : done ?? outcome.resultWord
    case .warning: word = "warning"
    case .skipped: word = "skipped (ExecCondition=)"
    case .failure: word = outcome.resultWord
    case .interrupted: word = "interrupted"
    }
    // The number alone: systemd's names for exit statuses (restic's 3 is
    // "NOTIMPLEMENTED") are not the job's.
    var status: String? = nil
    if verdict == .warning || verdict.isFailure, case .exited(let code)? = outcome.mainProcess,
      code != 0
    {
      status = "status \(code)"
    }
    var text = "\(icon) \(unit.sanitizedForDisplay(maxLength: 200)): "
    // The alert's words first: "failed 3 runs in a row: Fatal: ...".
    let reason =
      alertPrefix.map { prefix in self.reason.map { prefix + ": " + $0 } ?? prefix }
      ?? self.reason
    if let reason, outcome.result == .startLimitHit, interruption == nil {
      // "systemd refused to start the unit (start limit)" says it all.
      text += reason
    } else if let reason {
      let detail = [word] + (status.map { [$0] } ?? [])
      text += reason.sanitizedForDisplay(maxLength: Self.headlineReasonCharacters)
      text += " (\(detail.joined(separator: ", ")))"
    } else {
      text += word + (status.map { " (\($0))" } ?? "")
    }
    return text + " on \(host.sanitizedForDisplay(maxLength: 200))"
  }

  /// The reason's share of a headline: a phone shows about this much.
  public static let headlineReasonCharacters = 100
}

/// An entry kept for the tail, its message cut to what a readable line can
/// show, its first and last `keep` bytes (a 100 MB line must not be held
/// whole).
struct RecentEntry: TailCosted, Sendable {
  var record: LogRecord
  var fullLength: Int

  init(_ record: LogRecord, keep: Int) {
    self.record = record
    self.fullLength = record.message.count
    if record.message.count > 2 * keep {
      self.record.message = Array(record.message.prefix(keep) + record.message.suffix(keep))
    }
  }

  /// About what its readable line will take.
  var tailCost: Int { record.message.count + record.identifier.count + record.pid.count + 48 }
}

/// "1 h 02 min 03 s", "4.2 s".
public func formatDuration(_ seconds: Double) -> String {
  if seconds < 60 {
    let tenths = Int((seconds * 10).rounded())
    return "\(tenths / 10).\(tenths % 10) s"
  }
  let total = Int(seconds.rounded())
  let h = total / 3600
  let m = total % 3600 / 60
  let s = total % 60
  func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
  return h > 0 ? "\(h) h \(two(m)) min \(two(s)) s" : "\(m) min \(two(s)) s"
}
