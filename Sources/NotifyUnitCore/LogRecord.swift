/// One journal entry of the reported invocation, as the report needs it.
/// Fields are raw bytes: journal data may hold NUL, newlines and invalid
/// UTF-8, and nothing is decoded before the renderer decides how.
public struct LogRecord: Sendable, Equatable {
  /// `__REALTIME_TIMESTAMP`: microseconds since the epoch.
  public var realtime: UInt64
  /// `PRIORITY` (0 emerg ... 7 debug), `nil` when absent or malformed.
  public var priority: UInt8?
  /// `SYSLOG_IDENTIFIER`, else `_COMM`.
  public var identifier: [UInt8]
  /// `_PID`, else `SYSLOG_PID`.
  public var pid: [UInt8]
  /// `MESSAGE`.
  public var message: [UInt8]

  public init(
    realtime: UInt64, priority: UInt8? = nil, identifier: [UInt8] = [], pid: [UInt8] = [],
    message: [UInt8]
  ) {
    self.realtime = realtime
    self.priority = priority
    self.identifier = identifier
    self.pid = pid
    self.message = message
  }

  /// Parses a `PRIORITY` value ("0" ... "7"). Inlinable: the journal's
  /// reader calls it for every entry, with a slice of sd-journal's buffer.
  @inlinable
  public static func priority(from bytes: some Collection<UInt8>) -> UInt8? {
    guard bytes.count == 1, let digit = bytes.first, digit >= 0x30, digit <= 0x37 else {
      return nil
    }
    return digit - 0x30
  }
}
