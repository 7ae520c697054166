import NotifyUnitCore

/// A log line's prefix in UTC, written from the documented form (README,
/// `LogRenderer`): `2026-11-27T03:36:59.123456+00:00 err restic[4242]: `,
/// the priority's syslog name or "-", the identifier or "-", "[PID]" only
/// with a PID; identifier and PID are their first 64 bytes, each one that
/// is not printable ASCII (space included) shown as "?". The date comes
/// from the days since 1970 by the civil calendar, not from gmtime; a time
/// past 9999-12-30T23:59:59.999999 is shown as that.
public enum LogLineRule {
  static let priorities = ["emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"]

  /// The attachment's form: the prefix, the message with invalid UTF-8 as
  /// U+FFFD (Swift's own decoding, the documented repair), LF.
  public static func exactLine(_ record: LogRecord) -> [UInt8] {
    prefix(record) + Array(String(decoding: record.message, as: UTF8.self).utf8) + [0x0A]
  }

  static func prefix(_ record: LogRecord) -> [UInt8] {
    let priority = record.priority.map { priorities[Int($0)] } ?? "-"
    var source = record.identifier.isEmpty ? "-" : token(record.identifier)
    if !record.pid.isEmpty { source += "[" + token(record.pid) + "]" }
    return Array((timestamp(record.realtime) + " " + priority + " " + source + ": ").utf8)
  }

  static func token(_ bytes: [UInt8]) -> String {
    String(decoding: bytes.prefix(64).map { (0x21...0x7E).contains($0) ? $0 : 0x3F }, as: UTF8.self)
  }

  /// "YYYY-MM-DDTHH:MM:SS.uuuuuu+00:00".
  static func timestamp(_ time: UInt64) -> String {
    // Four-digit years: later than 9999-12-30T23:59:59.999999 is shown as that.
    let last: UInt64 = (253_402_214_400 - 1) * 1_000_000 + 999_999
    let usec = min(time, last)
    let seconds = usec / 1_000_000
    let (year, month, day) = civil(days: Int(seconds / 86_400))
    let time = seconds % 86_400
    return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(Int(time / 3600), 2)):"
      + "\(pad(Int(time / 60 % 60), 2)):\(pad(Int(time % 60), 2)).\(pad(Int(usec % 1_000_000), 6))"
      + "+00:00"
  }

  /// The proleptic Gregorian date of a day number (0: 1970-01-01), by
  /// 400-year eras of 146,097 days, counted from a year that starts in March.
  static func civil(days: Int) -> (year: Int, month: Int, day: Int) {
    let z = days + 719_468
    let era = z / 146_097
    let dayOfEra = z - era * 146_097
    let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let shiftedMonth = (5 * dayOfYear + 2) / 153
    let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
    let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
    return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
  }

  static func pad(_ value: Int, _ width: Int) -> String {
    let digits = String(value)
    return String(repeating: "0", count: max(0, width - digits.count)) + digits
  }
}
