/// The current entry of a journal reader: its time and its fields, as
/// sd-journal enumerates them (`Journal`; the fuzz target's entries).
public protocol JournalEntryFields {
  /// `__REALTIME_TIMESTAMP`: microseconds since the epoch.
  func realtime() -> UInt64
  /// Hands each raw "FIELD=value" to `body`; false when reading failed.
  @discardableResult func forEachField(_ body: (UnsafeRawBufferPointer) -> Void) -> Bool
}

/// One journal entry's fields, as sd-journal enumerates them
/// ("FIELD=value", raw bytes), made into the `LogRecord` a report shows:
/// MESSAGE, PRIORITY, SYSLOG_IDENTIFIER (else _COMM) and _PID (else
/// SYSLOG_PID), each the last of its name in the entry. Pure, so that the
/// journal fuzz target reads entries as InvocationLog does.
public struct JournalRecordReader {
  /// The short fields of the entry before, given again (not copied) while
  /// the entries of a stream repeat them, as a job's lines do: two
  /// allocations less an entry. A struct passed inout: a class's fields
  /// would cost a dynamic exclusivity check at each use.
  @usableFromInline var identifier: [UInt8] = []
  @usableFromInline var pid: [UInt8] = []
  @usableFromInline var comm: [UInt8] = []
  @usableFromInline var syslogPID: [UInt8] = []

  public init() {}

  public static let messageField = Array("MESSAGE=".utf8)
  public static let priorityField = Array("PRIORITY=".utf8)
  public static let identifierField = Array("SYSLOG_IDENTIFIER=".utf8)
  public static let commField = Array("_COMM=".utf8)
  public static let pidField = Array("_PID=".utf8)
  public static let syslogPIDField = Array("SYSLOG_PID=".utf8)

  /// The current entry of `entry`, nil without a
  /// MESSAGE= field (damaged, or never meant to be shown: journalctl skips
  /// it too); `field` sees every raw field on the way. Inlinable: it runs
  /// for every entry of a 100,000-line log.
  @inlinable
  public mutating func record(
    _ entry: some JournalEntryFields, field: (UnsafeRawBufferPointer) -> Void = { _ in }
  ) -> LogRecord? {
    var record = LogRecord(realtime: entry.realtime(), message: [])
    var comm: [UInt8] = []
    var syslogPID: [UInt8] = []
    var hasMessage = false
    func value(_ raw: UnsafeRawBufferPointer, after name: [UInt8]) -> [UInt8]? {
      raw.starts(with: name) ? Array(raw[name.count...]) : nil
    }
    func value(
      _ raw: UnsafeRawBufferPointer, after name: [UInt8], as last: inout [UInt8]
    ) -> [UInt8]? {
      guard raw.starts(with: name) else { return nil }
      let bytes = raw[name.count...]
      if !last.elementsEqual(bytes) { last = Array(bytes) }
      return last
    }
    entry.forEachField { raw in
      field(raw)
      switch raw.first {
      case 0x4D:  // M
        if let v = value(raw, after: Self.messageField) {
          record.message = v
          hasMessage = true
        }
      case 0x50:  // P
        if raw.starts(with: Self.priorityField) {
          record.priority = LogRecord.priority(from: raw[Self.priorityField.count...])
        }
      case 0x53:  // S
        if let v = value(raw, after: Self.identifierField, as: &self.identifier) {
          record.identifier = v
        } else if let v = value(raw, after: Self.syslogPIDField, as: &self.syslogPID) {
          syslogPID = v
        }
      case 0x5F:  // _
        if let v = value(raw, after: Self.pidField, as: &self.pid) {
          record.pid = v
        } else if let v = value(raw, after: Self.commField, as: &self.comm) {
          comm = v
        }
      default: break
      }
    }
    guard hasMessage else { return nil }
    if record.identifier.isEmpty { record.identifier = comm }
    if record.pid.isEmpty { record.pid = syslogPID }
    return record
  }
}
