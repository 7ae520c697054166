import NotifyUnitSystem

#if canImport(Glibc)
  import Glibc
#endif

/// How much a line of notify-unit's own matters, as syslog(3) numbers it.
/// On stderr under systemd each line starts with "<N>" (sd-daemon(3)'s
/// SD_ERR, SD_WARNING, SD_INFO), which journald reads as the entry's
/// priority (SyslogLevelPrefix=, on by default: systemd.exec(5)) and strips:
/// `journalctl -p warning` then finds every report that was not delivered.
public enum Priority: Int, Sendable, CaseIterable {
  case error = 3
  case warning = 4
  case info = 6

  /// `line` marked with this priority, for the stages' `log` closures,
  /// which carry only a string: `say(_:)` reads the mark.
  public func tag(_ line: String) -> String { "<\(rawValue)>" + line }

  /// The priority a line was tagged with, and the line without its tag.
  static func untag(_ line: String) -> (Priority, Substring) {
    let bytes = line.utf8
    if bytes.count >= 3, bytes.first == UInt8(ascii: "<"),
      bytes[bytes.index(bytes.startIndex, offsetBy: 2)] == UInt8(ascii: ">"),
      let digit = Int(String(line.dropFirst().prefix(1))), let priority = Priority(rawValue: digit)
    {
      return (priority, line.dropFirst(3))
    }
    return (.info, Substring(line))
  }
}

/// The prefix goes to the journal, not to a person: journald strips it,
/// a terminal would show it. Decided once (stderr does not change).
let stderrIsTerminal = isatty(2) == 1

/// One line on stderr, as every notify-unit message: "notify-unit: ...",
/// after its priority ("<4>") unless stderr is a terminal. systemd stores it
/// in the journal as one entry of the unit that ran it.
public func say(_ line: String, priority: Priority) {
  Host.printError((stderrIsTerminal ? "" : "<\(priority.rawValue)>") + "notify-unit: \(line)")
}

/// `say` for a line that may carry a `Priority.tag`; information otherwise.
/// What the stages' `log` closures are by default.
public func say(_ line: String) {
  let (priority, text) = Priority.untag(line)
  say(String(text), priority: priority)
}
