import NotifyUnitCore

/// Journal entries as any local user can log them (every field but the
/// time is theirs): made into the records a report shows, the manager's
/// notices (journald's dropped lines, the run's end) and the report's own
/// facts, checked against the rule written below. Never a trap.
public enum JournalCheck {
  /// Fields: 0 knobs (8 bytes: the job's first line, big-endian; byte 8
  /// odd: none), then entries, each ended by an empty field: its time (8
  /// bytes, big-endian), then raw "FIELD=value" fields.
  public static func check(fuzzInput bytes: [UInt8]) -> Violations {
    let f = FuzzFields(bytes)
    func number(_ field: [UInt8]) -> UInt64 {
      field.prefix(8).reduce(0) { $0 << 8 | UInt64($1) }
    }
    let firstJobLine: UInt64? = f.byte(0, 8, default: 0) & 1 == 1 ? nil : number(f[0])
    var entries: [Entry] = []
    var current: [[UInt8]]? = nil
    for field in f.fields.dropFirst() {
      if var fields = current {
        if field.isEmpty {
          entries.append(Entry(time: number(fields.removeFirst()), fields: fields))
          current = nil
        } else {
          fields.append(field)
          current = fields
        }
      } else {
        current = [field]
      }
    }
    if let fields = current, let time = fields.first {
      entries.append(Entry(time: number(time), fields: Array(fields.dropFirst())))
    }
    return check(entries: entries, firstJobLine: firstJobLine)
  }

  struct Entry: JournalEntryFields {
    var time: UInt64
    var fields: [[UInt8]]
    func realtime() -> UInt64 { time }
    func forEachField(_ body: (UnsafeRawBufferPointer) -> Void) -> Bool {
      for field in fields { field.withUnsafeBytes(body) }
      return true
    }
  }

  static func check(entries: [Entry], firstJobLine: UInt64?) -> Violations {
    var v = Violations()
    var reader = JournalRecordReader()
    var records: [LogRecord] = []
    var drops: [(realtime: UInt64, count: Int)] = []
    for entry in entries {
      var notices = ManagerNotices()
      let record = reader.record(entry) { notices.see($0) }
      let expected = expectedRecord(entry)
      v.expect(record == expected, "record \(describe(record)), expected \(describe(expected))")
      let dropNotice = entry.fields.contains { $0 == Array("MESSAGE_ID=\(droppedID)".utf8) }
      let count = entry.fields.last { $0.starts(with: Array("N_DROPPED=".utf8)) }
        .flatMap { CountRule.count(String(decoding: $0.dropFirst(10), as: UTF8.self)) }
      v.expect(
        notices.dropped == (dropNotice ? count : nil),
        "dropped \(String(describing: notices.dropped))")
      let ended = entry.fields.contains { field in
        endIDs.contains { field == Array("MESSAGE_ID=\($0)".utf8) }
      }
      v.expect(notices.saysRunEnded == ended, "run ended: \(notices.saysRunEnded)")
      if let record {
        records.append(record)
        if let dropped = notices.dropped { drops.append((record.realtime, dropped)) }
      }
    }

    // The drops, split at the job's first line, summed without a trap.
    let split = DroppedLines(notices: drops, firstJobLine: firstJobLine)
    func sum(_ counts: [Int]) -> Int {
      counts.reduce(0) { total, n in
        let (s, overflow) = total.addingReportingOverflow(n)
        return overflow ? Int.max : s
      }
    }
    let before = drops.filter { $0.realtime <= (firstJobLine ?? .max) }.map(\.count)
    let after = drops.filter { $0.realtime > (firstJobLine ?? .max) }.map(\.count)
    v.expect(
      split.beforeRun == sum(before) && split.inRun == sum(after),
      "dropped \(split.beforeRun) before, \(split.inRun) in the run")

    // The report made of them: every line counted and written exactly.
    let renderer = LogRenderer(zone: .utc)
    var report = Report(
      unit: "backup.service", host: "h", outcome: RunOutcome(environment: [:], prefix: ""),
      invocationID: nil, tailCapacityBytes: 1 << 16, createdAt: 0)
    for record in records {
      report.add(record, renderer: renderer)
      var line: [UInt8] = []
      renderer.appendExactLine(record, to: &line)
      let exact = LogLineRule.exactLine(record)
      v.expect(line == exact, "line \(show(line)), expected \(show(exact))")
      v.expect(renderer.exactLineLength(record) == exact.count, "length of \(show(exact))")
    }
    report.finish(renderer: renderer)
    v.expect(report.lineCount == records.count, "\(report.lineCount) lines of \(records.count)")
    if let span = report.logSpanSeconds { v.expect(span.isFinite && span >= 0, "span \(span)") }
    v.expect(!MailCheck.hasControl(report.headline), "headline \(show(report.headline))")
    if let restic = report.resticSummary {
      let counts = [
        restic.filesNew, restic.filesChanged, restic.filesUnmodified, restic.processedFiles,
      ]
      v.expect(counts.allSatisfy { ($0 ?? 0) >= 0 }, "restic counts \(counts)")
      for (name, value) in restic.lines {
        v.expect(!MailCheck.hasControl(name + value), "restic line \(show(name + value))")
      }
    }
    return v
  }

  /// The rule (LogRecord's documentation), written apart from the reader:
  /// no record without MESSAGE=; each field the last of its name;
  /// PRIORITY one digit 0 to 7, else none; SYSLOG_IDENTIFIER, else _COMM
  /// when it is absent or empty; _PID, else SYSLOG_PID.
  static func expectedRecord(_ entry: Entry) -> LogRecord? {
    func last(_ name: String) -> [UInt8]? {
      let prefix = Array((name + "=").utf8)
      return entry.fields.last { $0.starts(with: prefix) }.map { Array($0.dropFirst(prefix.count)) }
    }
    guard let message = last("MESSAGE") else { return nil }
    let priority = last("PRIORITY").flatMap { value -> UInt8? in
      guard value.count == 1, let d = value.first, (0x30...0x37).contains(d) else { return nil }
      return d - 0x30
    }
    var identifier = last("SYSLOG_IDENTIFIER") ?? []
    if identifier.isEmpty { identifier = last("_COMM") ?? [] }
    var pid = last("_PID") ?? []
    if pid.isEmpty { pid = last("SYSLOG_PID") ?? [] }
    return LogRecord(
      realtime: entry.time, priority: priority, identifier: identifier, pid: pid, message: message)
  }

  /// sd-messages.h: SD_MESSAGE_JOURNAL_DROPPED.
  static let droppedID = "a596d6fe7bfa4994828e72309e95d61e"
  /// sd-messages.h: UNIT_SUCCESS, UNIT_FAILURE_RESULT, UNIT_RESOURCES,
  /// UNIT_STOPPED, UNIT_FAILED.
  static let endIDs = [
    "7ad2d189f7e94e70a38c781354912448", "d9b373ed55a64feb8242e02dbe79a49c",
    "ae8f7b866b0347b9af31fe1c80b127c0", "9d1aaa27d60140bd96365438aad20286",
    "be02cf6855d2428ba40df7e9d022f03d",
  ]

  static func describe(_ r: LogRecord?) -> String {
    guard let r else { return "none" }
    return
      "\(r.realtime) \(String(describing: r.priority)) \(show(r.identifier))[\(show(r.pid))] \(show(r.message))"
  }
}
