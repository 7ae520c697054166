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

  public init(source: JournalSource, invocationID: String) {
    self.source = source
    self.invocationID = invocationID
  }

  public struct Outcome: Sendable {
    /// False when no journal file could be opened (permissions).
    public var journalReadable = true
    /// False when lines were still arriving when the settle time ran out.
    public var settled = true
    /// False when the deadline passed before the whole log was read.
    public var complete = true
  }

  /// Reads the invocation's entries in order. With `settle` > 0, keeps
  /// reading what journald appends until it has been quiet for
  /// `quietWindow`, or `settle` seconds (and the deadline) have passed.
  ///
  /// The service's own lines (`_SYSTEMD_INVOCATION_ID`, the bulk) and the
  /// manager's lines about the run (the other three fields, a few) come
  /// through two handles, merged by time: the same entries as one four-term
  /// match, but sd-journal's memory for OR-ed terms grows with every entry
  /// walked (about 5 MB a term over a million entries, measured).
  public func read(
    settle: Double, deadline: Deadline, _ each: (LogRecord) throws -> Void
  ) throws -> Outcome {
    let service = try open(fields: [Self.invocationFields[0]])
    let manager = try open(fields: Array(Self.invocationFields.dropFirst()))
    var outcome = Outcome(journalReadable: source != .local || service.hasFiles)
    if settle > 0 {
      service.enableWaiting()
      manager.enableWaiting()
    }
    var merged = MergedEntries(
      service: service, manager: manager,
      serviceMatch: Array("\(Self.invocationFields[0])=\(invocationID)".utf8))
    guard try merged.drain(deadline: deadline, each).complete else {
      outcome.complete = false
      return outcome
    }
    guard settle > 0 else { return outcome }

    let settleDeadline = deadline.capped(to: settle)
    var quietSince = ContinuousClock.now
    while true {
      let quietFor = quietSince.duration(to: .now)
      if quietFor >= .milliseconds(Int(Self.quietWindow * 1000)) { break }
      if settleDeadline.hasPassed {
        outcome.settled = false
        break
      }
      let wait = min(
        Self.quietWindow - Double(quietFor.components.seconds)
          - Double(quietFor.components.attoseconds) / 1e18, settleDeadline.remaining)
      _ = service.wait(seconds: wait)
      _ = manager.wait(seconds: 0)  // let it see what changed too
      let result = try merged.drain(deadline: deadline, each)
      guard result.complete else {
        outcome.complete = false
        break
      }
      if result.count > 0 { quietSince = .now }
    }
    return outcome
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

  /// Two ordered streams of entries merged by time. An entry in both (a
  /// service line that also carries INVOCATION_ID) comes once.
  struct MergedEntries {
    let service: Journal
    let manager: Journal
    let serviceMatch: [UInt8]
    var nextService: LogRecord? = nil
    var nextManager: LogRecord? = nil

    /// Emits every entry now available; stops early when the deadline
    /// passes (checked every 1024 entries).
    mutating func drain(deadline: Deadline, _ each: (LogRecord) throws -> Void) throws -> (
      count: Int, complete: Bool
    ) {
      var count = 0
      while true {
        if nextService == nil, try service.next() {
          nextService = try InvocationLog.record(service)
        }
        while nextManager == nil, try manager.next() {
          var duplicate = false
          let record = try InvocationLog.record(manager) {
            duplicate = duplicate || $0.elementsEqual(serviceMatch)
          }
          if !duplicate { nextManager = record }
        }
        let entry: LogRecord
        if let s = nextService, nextManager.map({ $0.realtime >= s.realtime }) ?? true {
          entry = s
          nextService = nil
        } else if let m = nextManager {
          entry = m
          nextManager = nil
        } else {
          return (count, true)
        }
        try each(entry)
        count += 1
        if count % 1024 == 0, deadline.hasPassed { return (count, false) }
      }
    }
  }

  static let messageField = Array("MESSAGE=".utf8)
  static let priorityField = Array("PRIORITY=".utf8)
  static let identifierField = Array("SYSLOG_IDENTIFIER=".utf8)
  static let commField = Array("_COMM=".utf8)
  static let pidField = Array("_PID=".utf8)
  static let syslogPIDField = Array("SYSLOG_PID=".utf8)

  /// The current entry; `field` sees every raw `FIELD=value` on the way.
  static func record(
    _ journal: Journal, field: (UnsafeRawBufferPointer) -> Void = { _ in }
  ) throws -> LogRecord {
    var record = LogRecord(realtime: journal.realtime(), message: [])
    var comm: [UInt8] = []
    var syslogPID: [UInt8] = []
    func value(_ raw: UnsafeRawBufferPointer, after name: [UInt8]) -> [UInt8]? {
      raw.starts(with: name) ? Array(raw[name.count...]) : nil
    }
    try journal.forEachField { raw in
      field(raw)
      switch raw.first {
      case 0x4D:  // M
        if let v = value(raw, after: messageField) { record.message = v }
      case 0x50:  // P
        if raw.starts(with: priorityField) {
          record.priority = LogRecord.priority(from: raw[priorityField.count...])
        }
      case 0x53:  // S
        if let v = value(raw, after: identifierField) {
          record.identifier = v
        } else if let v = value(raw, after: syslogPIDField) {
          syslogPID = v
        }
      case 0x5F:  // _
        if let v = value(raw, after: pidField) {
          record.pid = v
        } else if let v = value(raw, after: commField) {
          comm = v
        }
      default: break
      }
    }
    if record.identifier.isEmpty { record.identifier = comm }
    if record.pid.isEmpty { record.pid = syslogPID }
    return record
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
