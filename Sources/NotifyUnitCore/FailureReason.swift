/// The job's own line that says why a run went wrong, picked while the log
/// is read. Under systemd a job's stderr is stored at the unit's default
/// priority (info), so priority alone does not find restic's `Fatal: wrong
/// password or no key found`: a line that reads as an error counts too. A
/// line that reads as fatal wins over any other (restic's hint after it,
/// `Is there a repository at the following location?`, is not the reason);
/// among equals the last wins, being closest to the end. An error that takes
/// several lines (consecutive error lines of one process, as a job's stderr
/// logged at error priority gives: restic's `unable to create lock in
/// backend: ...`, then `lock was created at ...`, `storage ID ...`) counts
/// by its first line. systemd's own lines about the run ("Failed with
/// result ...") are never the job's reason, nor are a job's notices of
/// what it is about to do that it writes on stderr: restic 0.17 and later
/// (Debian 13) print `repo already locked, waiting up to 0s for the lock`
/// before the error block that says why it gave up.
public struct FailureReason: Sendable {
  /// The last line that reads as fatal, and the last other error line.
  private var fatal: [UInt8]?
  private var error: [UInt8]?
  /// The last warning line: the reason of a warning verdict.
  private var warningLine: [UInt8]?
  /// The process of the error line just before, while the lines are errors.
  private var errorBlockPID: [UInt8]?

  /// A reason is cut to this many characters.
  public static let maxCharacters = 200

  public init() {}

  /// Looks at one entry of the run, in journal order.
  public mutating func add(_ record: LogRecord) {
    guard record.identifier != Self.systemd else { return }
    let message = record.message.prefix(Self.maxCharacters * 4)
    let text = message.drop(while: { $0 == 0x20 || $0 == 0x09 })
    let continues = errorBlockPID == record.pid
    errorBlockPID = nil
    if Self.startsWithAny(text, Self.noticePrefixes) { return }
    if Self.startsWithAny(text, Self.fatalPrefixes) {
      fatal = Array(text)
      errorBlockPID = record.pid
    } else if Self.startsWithAny(text, Self.errorPrefixes) || (record.priority ?? 6) <= 3 {
      if !text.isEmpty, !continues || error == nil { error = Array(text) }
      errorBlockPID = record.pid
    } else if Self.startsWithAny(text, Self.warningPrefixes) || record.priority == 4 {
      if !text.isEmpty { warningLine = Array(text) }
    }
  }

  /// Why the run failed, as the job said it; nil when it said nothing that
  /// reads as an error.
  public var failure: String? { (fatal ?? error).map(Self.shown) }

  /// What the job warned about, for a warning verdict.
  public var warning: String? { (warningLine ?? error).map(Self.shown) }

  static func shown(_ bytes: [UInt8]) -> String {
    String(decoding: bytes, as: UTF8.self).sanitizedForDisplay(maxLength: maxCharacters)
  }

  /// How a log line reads, for marking it in a view of the log: by the
  /// same prefixes and priorities that pick the reason.
  public enum Mark: Sendable { case error, warning }

  public static func mark(_ message: ArraySlice<UInt8>, priority: UInt8?) -> Mark? {
    let text = message.prefix(64).drop(while: { $0 == 0x20 || $0 == 0x09 })
    if startsWithAny(text, fatalPrefixes) || startsWithAny(text, errorPrefixes)
      || (priority ?? 6) <= 3
    {
      return .error
    }
    if startsWithAny(text, warningPrefixes) || priority == 4 { return .warning }
    return nil
  }

  static let systemd = Array("systemd".utf8)
  static let fatalPrefixes = ["Fatal:", "fatal:", "FATAL", "panic:", "Traceback"].map {
    Array($0.utf8)
  }
  static let errorPrefixes = ["Error:", "error:", "ERROR", "E: ", "ERR "].map { Array($0.utf8) }
  static let warningPrefixes = ["Warning:", "warning:", "WARNING", "W: "].map { Array($0.utf8) }
  /// Lines on stderr that say what comes next, not what went wrong.
  static let noticePrefixes = ["repo already locked, waiting up to "].map { Array($0.utf8) }

  static func startsWithAny(_ text: ArraySlice<UInt8>, _ prefixes: [[UInt8]]) -> Bool {
    // Every line of the log comes here four times: most are told apart by
    // their first byte.
    guard let first = text.first else { return false }
    return prefixes.contains { $0.first == first && text.starts(with: $0) }
  }
}
