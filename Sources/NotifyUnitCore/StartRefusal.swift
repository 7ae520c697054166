/// systemd's own word, in an invocation's log, that it refused to start the
/// unit again: PID 1 logs "UNIT: Start request repeated too quickly." (the
/// same on 252 and 257) with the unit's invocation ID, which a refused start
/// leaves at the last run's. Only PID 1's line counts: `_PID` is journald's
/// trusted field, so a job printing the same words is not taken for it.
///
/// The unit's Result alone does not tell: a refused start sets it to
/// start-limit-hit only when the last run succeeded. When systemd gives up
/// restarting a failed unit (`Restart=`), or refuses a start of a failed
/// one, the Result stays the failed run's (exit-code, ...): seen on systemd
/// 252 and 257.
public struct StartRefusal: Sendable, Equatable {
  public private(set) var seen = false

  public init() {}

  public mutating func add(_ record: LogRecord) {
    guard !seen, record.pid == Self.pid1, record.identifier == FailureReason.systemd else { return }
    seen = record.message.count <= 512 && record.message.suffix(Self.words.count) == Self.words[...]
  }

  static let pid1 = Array("1".utf8)
  static let words = Array("Start request repeated too quickly.".utf8)
}
