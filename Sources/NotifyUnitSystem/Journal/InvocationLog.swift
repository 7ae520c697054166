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
  }

  /// Reads the invocation's entries in order. With `settle` > 0, keeps
  /// reading what journald appends until it has been quiet for
  /// `quietWindow`, or `settle` seconds (and the deadline) have passed.
  public func read(
    settle: Double, deadline: Deadline, _ each: (LogRecord) throws -> Void
  ) throws -> Outcome {
    guard settle > 0 else { return try readMerged(each) }
    let journal = try open(fields: Self.invocationFields)
    var outcome = Outcome(journalReadable: isReadable(journal))
    journal.enableWaiting()
    while try journal.next() { try each(try Self.record(journal)) }

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
      _ = journal.wait(seconds: wait)
      var got = false
      while try journal.next() {
        got = true
        try each(try Self.record(journal))
      }
      if got { quietSince = .now }
    }
    return outcome
  }

  /// Without waiting: the service's own lines (`_SYSTEMD_INVOCATION_ID`,
  /// the bulk) and the manager's lines about the run (the other three
  /// fields, a few) through two handles, merged by time. The same entries as
  /// one four-term match, but sd-journal's memory for OR-ed terms grows with
  /// every entry walked (~5 MB per term over a million entries, measured).
  func readMerged(_ each: (LogRecord) throws -> Void) throws -> Outcome {
    let service = try open(fields: [Self.invocationFields[0]])
    let manager = try open(fields: Array(Self.invocationFields.dropFirst()))
    let outcome = Outcome(journalReadable: isReadable(service))
    var a = try service.next() ? try Self.record(service) : nil
    var b = try manager.next() ? try Self.record(manager) : nil
    while let x = a ?? b {
      if let y = b, let z = a, y.realtime < z.realtime {
        try each(y)
        b = try manager.next() ? try Self.record(manager) : nil
      } else {
        try each(x)
        if a != nil {
          a = try service.next() ? try Self.record(service) : nil
        } else {
          b = try manager.next() ? try Self.record(manager) : nil
        }
      }
    }
    return outcome
  }

  /// Only the system journal can be "open" with no file readable; files and
  /// directories named explicitly fail to open instead.
  func isReadable(_ journal: Journal) -> Bool {
    source != .local || journal.hasFiles
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

  static let messageField = Array("MESSAGE=".utf8)
  static let priorityField = Array("PRIORITY=".utf8)
  static let identifierField = Array("SYSLOG_IDENTIFIER=".utf8)
  static let commField = Array("_COMM=".utf8)
  static let pidField = Array("_PID=".utf8)
  static let syslogPIDField = Array("SYSLOG_PID=".utf8)

  static func record(_ journal: Journal) throws -> LogRecord {
    var record = LogRecord(realtime: journal.realtime(), message: [])
    var comm: [UInt8] = []
    var syslogPID: [UInt8] = []
    func value(_ raw: UnsafeRawBufferPointer, after name: [UInt8]) -> [UInt8]? {
      raw.starts(with: name) ? Array(raw[name.count...]) : nil
    }
    try journal.forEachField { raw in
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
