import NotifyUnitCore

/// The journal entries of one unit invocation, matched as
/// `journalctl --invocation=` does (systemd 257): the four invocation
/// fields, OR-ed. Lines the service printed carry `_SYSTEMD_INVOCATION_ID`;
/// systemd's own messages about the run carry `INVOCATION_ID` (system
/// manager) or `USER_INVOCATION_ID` (user manager).
public struct InvocationLog {
  public static let invocationFields = [
    "_SYSTEMD_INVOCATION_ID", "OBJECT_SYSTEMD_INVOCATION_ID", "INVOCATION_ID",
    "USER_INVOCATION_ID",
  ]

  /// How long the journal must stay quiet before the log counts as
  /// complete: journald stores a service's output asynchronously, and its
  /// last lines can land after ExecStopPost= has started (systemd #28650).
  public static let quietWindow = 0.5

  public let source: JournalSource
  public let invocationID: String
  /// The unit, for lines journald stored without their invocation.
  public let unit: String?

  public init(source: JournalSource, invocationID: String, unit: String? = nil) {
    self.source = source
    self.invocationID = invocationID
    self.unit = unit
  }

  public struct Outcome: Sendable {
    /// False when no journal file could be opened (permissions).
    public var journalReadable = true
    /// False when lines were still arriving when the settle time ran out.
    public var settled = true
    /// False when the deadline passed before the whole log was read.
    public var complete = true
    /// True when the log was too long to read whole in time: its start and
    /// its end were read, with a line saying so between them.
    public var middleLeftOut = false
    /// Lines of the unit journald stored without an invocation, taken by
    /// the unit's name from the run's start on (see `read`).
    public var linesWithoutInvocation = 0
    /// notify-unit's own lines in the invocation, left out.
    public var ownLinesLeftOut = 0
    /// Lines journald's rate limit dropped in this run, as far as its
    /// notices are stored yet (the last interval's come later, if at all).
    public var droppedInRun = 0
    /// Lines dropped before this run (the unit's previous run), noticed in
    /// this run's journal.
    public var droppedBeforeRun = 0
    /// What ended the wait for journald's last lines.
    public var settledBy = Settle.notWaited
    /// Why journald's stream files could not tell, when they could not.
    public var streamsUnknown: String? = nil
  }

  public enum Settle: Sendable, Equatable {
    case notWaited
    /// systemd logged the run's end longer than the settle time ago: what
    /// journald stores late, it has stored by now.
    case endedLongAgo
    /// The journal cannot be read: nothing could come to wait for.
    case unreadable
    /// No stream of the unit was left open (`JournalStreams`).
    case streams
    /// The journal was quiet for `quietWindow`.
    case quiet
    /// Lines were still coming (or streams open) when the time ran out.
    case timeLimit
  }

  /// Where to learn that journald stored a unit's last lines: its stream
  /// state files, and how many of them are notify-unit's own. Only for a
  /// notify-unit that runs in the unit itself (ExecStopPost=), after the
  /// main process exited.
  public struct StreamSignal: Sendable {
    public var directory: String
    public var ownStreams: Int
    /// When notify-unit started (`JournalStreams.ownSince`).
    public var ownSince: UInt64?

    public init(
      directory: String = JournalStreams.defaultDirectory,
      ownStreams: Int = JournalStreams.ownStreamCount(),
      ownSince: UInt64? = JournalStreams.processStart()
    ) {
      self.directory = directory
      self.ownStreams = ownStreams
      self.ownSince = ownSince
    }
  }

  /// The part of the deadline the log is read from its start in; the rest
  /// is for its end, should time run out (`read`).
  public static let headShare = 0.75

  /// Reads the invocation's entries in order, but those of the process
  /// `excludingPID`. With `settle` > 0, keeps
  /// reading what journald appends until it has been quiet for
  /// `quietWindow`, or `settle` seconds (and the deadline) have passed;
  /// with `streams`, stops as soon as journald's stream files show that
  /// the unit's last lines are stored (the quiet window is the fallback
  /// where they cannot tell).
  ///
  /// The service's own lines (`_SYSTEMD_INVOCATION_ID`, the bulk) come
  /// through one handle, merged by time with the manager's lines about the
  /// run (the other three fields, a few, read into memory: `ManagerLines`):
  /// the same entries as one four-term match, but sd-journal's memory for
  /// OR-ed terms grows with every entry walked (about 5 MB a term over a
  /// million entries, measured).
  ///
  /// journald loses the invocation (and the unit, but for stdout) of lines
  /// whose process had exited before it read them: its cgroup is gone. A
  /// job that fails at once is such a case. When the invocation has no
  /// line of its own when reading starts, the unit's lines without an
  /// invocation are taken too, from the run's first manager message on,
  /// up to a line of another invocation.
  ///
  /// The end of a log matters most (a backup's failure is at its end). When
  /// reading from the start has not finished after `headShare` of the
  /// time, the rest of the time goes to the last `tailEntries` entries:
  /// the middle is left out, with a line saying so in its place.
  public func read(
    settle: Double, deadline: Deadline, tailEntries: Int = 50_000,
    headDeadline: Deadline? = nil, excludingPID: Int32? = nil, streams: StreamSignal? = nil,
    _ each: (LogRecord) throws -> Void
  ) throws -> Outcome {
    let service = try open(fields: [Self.invocationFields[0]])
    let serviceMatch = Array("\(Self.invocationFields[0])=\(invocationID)".utf8)
    let manager = ManagerLines(log: self, serviceMatch: serviceMatch)
    try manager.load()
    var outcome = Outcome(journalReadable: source != .local || service.hasFiles)
    if settle > 0 { service.enableWaiting() }
    var merged = MergedEntries(
      service: service, manager: manager,
      serviceMatch: serviceMatch,
      excludedPID: excludingPID.map { Array(String($0).utf8) })
    // notify-unit's own units (the flush, the boot report) run notify-unit
    // as their job: there its lines are the log.
    merged.excludeOwnCommand = !(unit ?? "").hasPrefix("notify-unit")
    try merged.peek()
    // journald stores a line without the invocation when the process that
    // wrote it had ended before it read it: a job's last lines, read after
    // the unit stopped (by hand, an OnFailure= handler), or a short-lived
    // child's. They are taken by the unit's name from the run's start on.
    if let unit,
      let start = [merged.nextManager?.realtime, merged.nextService?.realtime].compactMap({ $0 })
        .min()
    {
      let orphans = try Journal(source)
      try orphans.addMatch("_SYSTEMD_UNIT=\(unit)")
      try orphans.seek(realtime: start)
      if settle > 0 { orphans.enableWaiting() }
      merged.orphans = orphans
    }
    func finish() -> Outcome {
      outcome.linesWithoutInvocation = merged.orphansEmitted
      outcome.ownLinesLeftOut = merged.ownLinesLeftOut
      let dropped = DroppedLines(notices: manager.drops, firstJobLine: merged.firstJobLine)
      outcome.droppedBeforeRun = dropped.beforeRun
      outcome.droppedInRun = dropped.inRun
      return outcome
    }
    let head = headDeadline ?? deadline.capped(to: deadline.remaining * Self.headShare)
    if try !merged.drain(deadline: head, each).complete {
      outcome.middleLeftOut = try merged.skipToTail(entries: tailEntries, each)
      guard try merged.drain(deadline: deadline, each).complete else {
        outcome.complete = false
        return finish()
      }
    }
    guard settle > 0 else { return finish() }
    if !outcome.journalReadable {
      outcome.settledBy = .unreadable
      return finish()
    }
    // By hand, for a run that ended: lines come late only within `settle`
    // of its end. (From ExecStopPost= the end is not logged yet.)
    if let end = manager.endRealtime, Host.nowMicroseconds > end,
      Double(Host.nowMicroseconds - end) / 1e6 >= settle
    {
      outcome.settledBy = .endedLongAgo
      return finish()
    }

    let settleDeadline = deadline.capped(to: settle)
    // journald's stream files, where they tell (`JournalStreams`): set up
    // the watch before the first look, so that no removal is missed.
    var watch: DirectoryWatch? = nil
    var signal: JournalStreams? = nil
    if let streams, let unit {
      watch = DirectoryWatch(directory: streams.directory)
      signal = JournalStreams(
        unit: unit, runStart: manager.firstRealtime ?? merged.firstEmitted,
        ownStreams: streams.ownStreams, ownSince: streams.ownSince, directory: streams.directory)
      if watch == nil { outcome.streamsUnknown = "\(streams.directory) cannot be watched" }
    }
    var quietSince = ContinuousClock.now
    while true {
      var waitForStreams = false
      if let current = signal, watch != nil {
        switch current.state() {
        case .closed:
          // Every line of the unit's streams is stored: read what came.
          _ = service.wait(seconds: 0)
          try manager.load()
          _ = merged.orphans?.wait(seconds: 0)
          guard try merged.drain(deadline: deadline, each).complete else {
            outcome.complete = false
            return finish()
          }
          outcome.settledBy = .streams
          return finish()
        case .open(let named, _):
          waitForStreams = named > 0
        case .unknown(let why):
          outcome.streamsUnknown = why
          signal = nil
          watch = nil
        }
      }
      let quietFor = quietSince.duration(to: .now)
      if !waitForStreams, quietFor >= .milliseconds(Int(Self.quietWindow * 1000)) {
        outcome.settledBy = .quiet
        break
      }
      if settleDeadline.hasPassed {
        outcome.settled = false
        outcome.settledBy = .timeLimit
        break
      }
      let quietLeft =
        Self.quietWindow - Double(quietFor.components.seconds)
        - Double(quietFor.components.attoseconds) / 1e18
      let wait = min(
        waitForStreams ? settleDeadline.remaining : quietLeft, settleDeadline.remaining)
      if let watch {
        _ = service.wait(seconds: wait, orReadable: watch.fd)
        watch.drain()
      } else {
        _ = service.wait(seconds: wait)
      }
      try manager.load()  // what the manager logged meanwhile
      _ = merged.orphans?.wait(seconds: 0)
      let result = try merged.drain(deadline: deadline, each)
      guard result.complete else {
        outcome.complete = false
        break
      }
      if result.count > 0 { quietSince = .now }
    }
    return finish()
  }

  /// Opens the journal matched to `fields` (OR-ed) = the invocation.
  func open(fields: [String]) throws(JournalError) -> Journal {
    let journal = try Journal(source)
    for (i, field) in fields.enumerated() {
      if i > 0 { try journal.addDisjunction() }
      try journal.addMatch("\(field)=\(invocationID)")
    }
    try journal.seekHead()
    return journal
  }

  /// The manager's lines about the run (INVOCATION_ID and the other two
  /// fields): a few, so read into memory through a handle that is closed
  /// again. A second handle held open beside the service's would keep its
  /// own maps of every journal file: about 5 MB more at 3 million entries.
  final class ManagerLines {
    let log: InvocationLog
    let serviceMatch: [UInt8]
    private var records: [LogRecord] = []
    private var index = 0
    private var cursor: String? = nil
    /// journald's notices of lines its rate limit dropped ("Suppressed N
    /// messages from UNIT"): when, and how many.
    private(set) var drops: [(realtime: UInt64, count: Int)] = []
    /// When systemd logged the run's end (`endMessageIDs`), if it has.
    private(set) var endRealtime: UInt64? = nil
    /// More than this many is no longer "a few": the rest are not kept.
    static let limit = 100_000

    init(log: InvocationLog, serviceMatch: [UInt8]) {
      self.log = log
      self.serviceMatch = serviceMatch
    }

    /// Reads the lines logged since the last load (all of them the first
    /// time). An entry that also carries the service's field is the
    /// service stream's.
    func load() throws {
      let journal = try log.open(fields: Array(InvocationLog.invocationFields.dropFirst()))
      if let cursor {
        // Past the last one loaded; if that one is gone (vacuumed), next()
        // landed on a new one already: step back before it.
        try journal.seek(cursor: cursor)
        if try journal.next(), journal.cursor() != cursor { _ = try journal.previous() }
      }
      while records.count < Self.limit, try journal.next() {
        cursor = journal.cursor() ?? cursor
        var duplicate = false
        var notices = ManagerNotices()
        let record = InvocationLog.record(journal) {
          duplicate = duplicate || $0.elementsEqual(serviceMatch)
          notices.see($0)
        }
        if !duplicate, let record {
          records.append(record)
          if let dropped = notices.dropped { drops.append((record.realtime, dropped)) }
          if notices.saysRunEnded { endRealtime = max(endRealtime ?? 0, record.realtime) }
        }
      }
    }

    /// The run's first message from the manager ("Starting …").
    var firstRealtime: UInt64? { records.first?.realtime }

    func next() -> LogRecord? {
      guard index < records.count else { return nil }
      defer { index += 1 }
      return records[index]
    }

    /// Leaves out the lines up to `realtime` (the middle of a long log).
    func skip(through realtime: UInt64) {
      while index < records.count, records[index].realtime <= realtime { index += 1 }
    }
  }

  /// Two ordered streams of entries merged by time. An entry in both (a
  /// service line that also carries INVOCATION_ID) comes once.
  struct MergedEntries {
    let service: Journal
    let manager: ManagerLines
    let serviceMatch: [UInt8]
    /// notify-unit's own lines, when it reads the invocation it runs in.
    let excludedPID: [UInt8]?
    /// Leaves out every line of a notify-unit process (`_COMM=`): its
    /// `notify-unit start` in ExecStartPre= is not the job's log.
    var excludeOwnCommand = false
    var ownLinesLeftOut = 0
    var repeated = JournalRecordReader()
    var nextService: LogRecord? = nil
    var nextManager: LogRecord? = nil
    /// The unit's lines without an invocation, when the invocation has
    /// none of its own (see `read`); nil once a line of another shows.
    var orphans: Journal? = nil
    var nextOrphan: LogRecord? = nil
    var orphansEmitted = 0

    /// The time of the last entry emitted: after a skip to the tail,
    /// entries up to it are not emitted again.
    var emittedUpTo: UInt64 = 0
    var firstEmitted: UInt64? = nil
    /// The first line of the service's own (not the manager's).
    var firstJobLine: UInt64? = nil
    var skippedToTail = false

    /// Moves both streams to their last `entries` entries and emits a line
    /// saying the middle is left out; true when there was a middle to leave
    /// out, false when the tail reaches back to what was read already.
    mutating func skipToTail(entries: Int, _ each: (LogRecord) throws -> Void) throws -> Bool {
      nextService = nil
      nextOrphan = nil
      skippedToTail = true
      // Lands on the entry before the tail, which next() steps over; with
      // fewer entries than that, at the head, where next() starts.
      var resumesAt: UInt64 = 0
      try service.seekTail()
      if try service.previous(skipping: entries + 1) < entries + 1 {
        try service.seekHead()
      } else {
        resumesAt = service.realtime()
      }
      guard resumesAt > emittedUpTo else { return false }
      if let m = nextManager, m.realtime <= resumesAt { nextManager = nil }
      try orphans?.seek(realtime: resumesAt)
      manager.skip(through: resumesAt)
      try each(
        LogRecord(
          realtime: emittedUpTo, priority: 5, identifier: Array("notify-unit".utf8),
          message: Array(
            "[… lines left out: the time limit ran out reading this log; its last \(entries) entries follow. journalctl shows them all …]"
              .utf8)))
      return true
    }

    /// Reads the next entry of each stream that has none waiting. Entries
    /// without MESSAGE= (damaged, or never meant to be shown) are skipped,
    /// as journalctl skips them.
    mutating func peek() throws {
      while nextService == nil, try service.next() {
        var own = false
        let record = InvocationLog.record(service, reader: &repeated) {
          own = own || (excludeOwnCommand && $0.elementsEqual(InvocationLog.ownCommField))
        }
        if own {
          ownLinesLeftOut += 1
          continue
        }
        nextService = record
      }
      if nextManager == nil { nextManager = manager.next() }
      while nextOrphan == nil, let journal = orphans, try journal.next() {
        // One field looked up, no record made, for the many lines that are
        // this run's own (the service stream has them).
        let invocation = journal.withField(InvocationLog.serviceFieldName) { value in
          value.map { InvocationLog.serviceField + Array($0) }
        }
        if invocation == nil {
          nextOrphan = InvocationLog.record(journal)
        } else if invocation != serviceMatch {
          orphans = nil  // another run's line: this run's are behind
        }
      }
    }

    /// Emits every entry now available; stops early when the deadline
    /// passes (checked every 1024 entries).
    mutating func drain(deadline: Deadline, _ each: (LogRecord) throws -> Void) throws -> (
      count: Int, complete: Bool
    ) {
      var count = 0
      while true {
        try peek()
        let entry: LogRecord
        // Not an array of the three: no allocation nor copies an entry.
        let earliest = min(
          nextService?.realtime ?? .max, nextManager?.realtime ?? .max,
          nextOrphan?.realtime ?? .max)
        if let s = nextService, s.realtime == earliest {
          entry = s
          nextService = nil
          if firstJobLine == nil { firstJobLine = s.realtime }
        } else if let m = nextManager, m.realtime == earliest {
          entry = m
          nextManager = nil
        } else if let o = nextOrphan {
          entry = o
          nextOrphan = nil
          orphansEmitted += 1
        } else {
          return (count, true)
        }
        // After a skip to the tail that overlaps what was read.
        if skippedToTail, entry.realtime <= emittedUpTo { continue }
        if let excludedPID, entry.pid == excludedPID { continue }
        emittedUpTo = max(emittedUpTo, entry.realtime)
        if firstEmitted == nil { firstEmitted = entry.realtime }
        try each(entry)
        count += 1
        if count % 1024 == 0, deadline.hasPassed { return (count, false) }
      }
    }
  }

  static let serviceFieldName = "_SYSTEMD_INVOCATION_ID"
  static let serviceField = Array("\(serviceFieldName)=".utf8)
  static let ownCommField = Array("_COMM=notify-unit".utf8)

  /// The current entry (`JournalRecordReader`), nil without a MESSAGE=
  /// field; `field` sees every raw `FIELD=value` on the way.
  static func record(
    _ journal: Journal, field: (UnsafeRawBufferPointer) -> Void = { _ in }
  ) -> LogRecord? {
    var reader = JournalRecordReader()
    return record(journal, reader: &reader, field: field)
  }

  /// The same, reusing the arrays of `reader` (and updating it).
  static func record(
    _ journal: Journal, reader: inout JournalRecordReader,
    field: (UnsafeRawBufferPointer) -> Void = { _ in }
  ) -> LogRecord? {
    reader.record(journal, field: field)
  }

  /// The most recent invocation of `unit` found in the journal, as
  /// `journalctl -u UNIT --invocation=0` finds it: for runs by hand.
  public static func latestInvocation(of unit: String, source: JournalSource) throws -> String? {
    let journal = try Journal(source)
    let unitFields = ["_SYSTEMD_UNIT", "UNIT", "_SYSTEMD_USER_UNIT", "USER_UNIT"]
    for (i, field) in unitFields.enumerated() {
      if i > 0 { try journal.addDisjunction() }
      try journal.addMatch("\(field)=\(unit)")
    }
    try journal.seekTail()
    var steps = 0
    while steps < 100_000, try journal.previous() {
      steps += 1
      for field in ["_SYSTEMD_INVOCATION_ID", "INVOCATION_ID", "USER_INVOCATION_ID"] {
        if let value = journal.field(field),
          let id = normalizedInvocationID(String(decoding: value, as: UTF8.self))
        {
          return id
        }
      }
    }
    return nil
  }
}
