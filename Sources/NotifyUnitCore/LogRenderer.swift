#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Turns journal entries into log lines, in two forms:
///
/// - **exact** (the attachment): `PREFIX MESSAGE\n`, where the message is kept
///   byte for byte except that invalid UTF-8 is replaced by U+FFFD (the
///   documented repair). NUL, CR, escapes and embedded newlines stay as they
///   are.
/// - **readable** (the mail body and the ping): the same line with control
///   characters shown as Unicode control pictures (NUL as ␀, ESC as ␛, CR as
///   ␍), C1 controls as U+FFFD, embedded newlines as indented continuation
///   lines, and an entry over `maxReadableLineBytes` shown by its start and
///   end with a note saying how much was left out between.
///
/// The prefix is `2026-11-27T03:36:59.123456+01:00 err ident[pid]: `.
///
/// Hot path: every entry of a long log goes through here up to twice, so
/// the common case (printable ASCII, the same second as the last entry)
/// copies bytes and formats nothing twice.
public struct LogRenderer {
  public enum Zone: Sendable { case utc, local }

  public let zone: Zone
  public let maxReadableLineBytes: Int
  private let cache = SecondCache()

  public init(zone: Zone = .local, maxReadableLineBytes: Int = 4096) {
    self.zone = zone
    self.maxReadableLineBytes = max(maxReadableLineBytes, 64)
  }

  /// "YYYY-MM-DDTHH:MM:SS" and "+HH:MM" of the last second formatted.
  private final class SecondCache {
    var second = Int.min
    var dateTime: [UInt8] = []
    var offset: [UInt8] = []
  }

  /// Length of `2026-11-27T03:36:59.123456+01:00`.
  static let timestampLength = 32
  /// 9999-12-30T23:59:59.999999 UTC, in microseconds.
  public static let latestShown: UInt64 = 253_402_214_399_999_999

  static let priorityNames: [[UInt8]] = [
    "emerg", "alert", "crit", "err", "warning", "notice", "info", "debug",
  ].map { Array($0.utf8) }

  /// The line prefix: timestamp, priority, identifier and PID.
  public func appendPrefix(of record: LogRecord, to out: inout [UInt8]) {
    appendTimestamp(record.realtime, to: &out)
    out.append(0x20)
    if let p = record.priority { out += Self.priorityNames[Int(p)] } else { out.append(0x2D) }
    out.append(0x20)
    if record.identifier.isEmpty {
      out += Array("-".utf8)
    } else {
      Self.appendToken(record.identifier, to: &out)
    }
    if !record.pid.isEmpty {
      out.append(0x5B)
      Self.appendToken(record.pid, to: &out)
      out.append(0x5D)
    }
    out += [0x3A, 0x20]
  }

  /// A readable line taken apart at its prefix, for a view that shows the
  /// time of day and marks lines by priority. The prefix has a fixed form
  /// (32-byte timestamp, priority word, an identifier token without spaces),
  /// so no message can be misread as a prefix.
  public struct ReadableParts: Sendable {
    /// "03:36:59".
    public var timeOfDay: ArraySlice<UInt8>
    public var priority: UInt8?
    /// "restic[4242]:".
    public var source: ArraySlice<UInt8>
    /// The message as shown (controls as symbols, continuation lines
    /// indented), without the line's final newline.
    public var message: ArraySlice<UInt8>
  }

  /// The parts of a line written by `appendReadableLine`, nil for any other.
  public static func parts(ofReadableLine line: [UInt8]) -> ReadableParts? {
    var body = line[...]
    if body.last == 0x0A { body = body.dropLast() }
    guard body.count > timestampLength + 2, body[body.startIndex + timestampLength] == 0x20 else {
      return nil
    }
    let start = body.startIndex
    let afterStamp = start + timestampLength + 1
    guard let priorityEnd = body[afterStamp...].firstIndex(of: 0x20),
      let sourceEnd = body[(priorityEnd + 1)...].firstIndex(of: 0x20)
    else { return nil }
    let word = Array(body[afterStamp..<priorityEnd])
    return ReadableParts(
      timeOfDay: body[(start + 11)..<(start + 19)],
      priority: priorityNames.firstIndex(of: word).map(UInt8.init),
      source: body[(priorityEnd + 1)..<sourceEnd], message: body[(sourceEnd + 1)...])
  }

  /// The exact line, newline-terminated.
  public func appendExactLine(_ record: LogRecord, to out: inout [UInt8]) {
    appendPrefix(of: record, to: &out)
    UTF8Repair.append(record.message, to: &out)
    out.append(0x0A)
  }

  /// The exact line's prefix alone: with `UTF8Repair.repaired(message)`
  /// and "\n" it makes the line, without copying a huge message into it.
  public func exactLinePrefix(_ record: LogRecord) -> [UInt8] {
    var out: [UInt8] = []
    appendPrefix(of: record, to: &out)
    return out
  }

  /// Size of the exact line in bytes, without building it.
  public func exactLineLength(_ record: LogRecord) -> Int {
    prefixLength(of: record) + UTF8Repair.repairedLength(record.message) + 1
  }

  /// What `appendPrefix` writes, counted.
  func prefixLength(of record: LogRecord) -> Int {
    var n = Self.timestampLength + 1
    n += record.priority.map { Self.priorityNames[Int($0)].count } ?? 1
    n += 1 + (record.identifier.isEmpty ? 1 : min(record.identifier.count, 64))
    if !record.pid.isEmpty { n += 2 + min(record.pid.count, 64) }
    return n + 2
  }

  /// The readable line, newline-terminated. An entry longer than
  /// `maxReadableLineBytes` keeps its start and its end (where the error
  /// usually is) with a note of how much was left out between; returns true
  /// then. `fullLength` is the message's length when `record` holds only its
  /// start and end (see `Report`).
  @discardableResult
  public func appendReadableLine(
    _ record: LogRecord, to out: inout [UInt8], fullLength: Int? = nil
  ) -> Bool {
    let start = out.count
    appendPrefix(of: record, to: &out)
    let indent = [UInt8](repeating: 0x20, count: min(out.count - start, 48))
    let message = record.message
    let total = fullLength ?? message.count
    let budget = max(32, maxReadableLineBytes - (out.count - start))
    guard total > budget else {
      appendReadable(message[...], indent: indent, to: &out)
      out.append(0x0A)
      return false
    }
    let half = budget / 2
    // Cut between characters: back over continuation bytes at the head's
    // end, forward over them at the tail's start.
    var headEnd = min(half, message.count)
    while headEnd > 0, headEnd < message.count, message[headEnd] & 0xC0 == 0x80 { headEnd -= 1 }
    var tailStart = max(headEnd, message.count - half)
    while tailStart < message.count, message[tailStart] & 0xC0 == 0x80 { tailStart += 1 }
    appendReadable(message[..<headEnd], indent: indent, to: &out)
    out += Array(" [… \(total - headEnd - (message.count - tailStart)) bytes left out …] ".utf8)
    appendReadable(message[tailStart...], indent: indent, to: &out)
    out.append(0x0A)
    return true
  }

  /// Message text as it is shown: control characters as symbols, invisible
  /// format controls by name, newlines as indented continuation lines.
  func appendReadable(_ bytes: ArraySlice<UInt8>, indent: [UInt8], to out: inout [UInt8]) {
    if Self.isPlainText(bytes) {
      out += bytes
      return
    }
    for scalar in String(decoding: bytes, as: UTF8.self).unicodeScalars {
      let v = scalar.value
      switch v {
      case 0x0A:
        out.append(0x0A)
        out += indent
      case 0x09, 0x20..<0x7F:
        out.append(UInt8(v))
      case 0x00..<0x20:
        Self.appendScalar(Unicode.Scalar(0x2400 + v)!, to: &out)
      case 0x7F:
        Self.appendScalar("\u{2421}", to: &out)
      case 0x80..<0xA0:
        Self.appendScalar("\u{FFFD}", to: &out)
      case _ where scalar.isInvisibleFormatControl:
        out += Array(scalar.visibleName.utf8)
      default:
        Self.appendScalar(scalar, to: &out)
      }
    }
  }

  /// Printable ASCII and tabs only.
  static func isPlainText(_ bytes: ArraySlice<UInt8>) -> Bool {
    bytes.withUnsafeBufferPointer { buffer in
      for b in buffer where (b < 0x20 && b != 0x09) || b >= 0x7F { return false }
      return true
    }
  }

  static func appendScalar(_ scalar: Unicode.Scalar, to out: inout [UInt8]) {
    UTF8.encode(scalar) { out.append($0) }
  }

  /// Identifier and PID: short tokens; anything that is not printable ASCII
  /// becomes "?" so a prefix is always one well-formed line.
  static func appendToken(_ bytes: [UInt8], to out: inout [UInt8]) {
    let token = bytes.prefix(64)
    // Nearly always printable: then copied whole, not byte by byte.
    if token.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) {
      out += token
      return
    }
    for b in token { out.append(b > 0x20 && b < 0x7F ? b : 0x3F) }
  }

  // MARK: Timestamps

  /// `YYYY-MM-DDTHH:MM:SS.uuuuuu+HH:MM`, in UTC or the local zone.
  public func appendTimestamp(_ time: UInt64, to out: inout [UInt8]) {
    // The form has four-digit years: a later time (a journal file's can be
    // anything) is shown as the latest that fits in every zone.
    let usec = min(time, Self.latestShown)
    let second = Int(usec / 1_000_000)
    if second != cache.second {
      let t = Self.brokenDown(seconds: second, zone: zone)
      var d: [UInt8] = []
      Self.appendDigits(t.year, 4, &d)
      d.append(0x2D)
      Self.appendDigits(t.month, 2, &d)
      d.append(0x2D)
      Self.appendDigits(t.day, 2, &d)
      d.append(0x54)
      Self.appendDigits(t.hour, 2, &d)
      d.append(0x3A)
      Self.appendDigits(t.minute, 2, &d)
      d.append(0x3A)
      Self.appendDigits(t.second, 2, &d)
      var o: [UInt8] = [t.offsetSeconds < 0 ? 0x2D : 0x2B]
      Self.appendDigits(abs(t.offsetSeconds) / 3600, 2, &o)
      o.append(0x3A)
      Self.appendDigits(abs(t.offsetSeconds) % 3600 / 60, 2, &o)
      cache.second = second
      cache.dateTime = d
      cache.offset = o
    }
    out += cache.dateTime
    out.append(0x2E)
    Self.appendDigits(Int(usec % 1_000_000), 6, &out)
    out += cache.offset
  }

  /// A timestamp as a String, for summaries.
  public func timestamp(_ usec: UInt64) -> String {
    var out: [UInt8] = []
    appendTimestamp(usec, to: &out)
    return String(decoding: out, as: UTF8.self)
  }

  struct BrokenDownTime {
    var year, month, day, hour, minute, second, offsetSeconds: Int
    var weekday: Int
  }

  static func brokenDown(seconds: Int, zone: Zone) -> BrokenDownTime {
    var time = time_t(seconds)
    var tm = tm()
    switch zone {
    case .utc: _ = gmtime_r(&time, &tm)
    case .local: _ = localtime_r(&time, &tm)
    }
    return BrokenDownTime(
      year: Int(tm.tm_year) + 1900, month: Int(tm.tm_mon) + 1, day: Int(tm.tm_mday),
      hour: Int(tm.tm_hour), minute: Int(tm.tm_min), second: Int(tm.tm_sec),
      offsetSeconds: zone == .utc ? 0 : Int(tm.tm_gmtoff), weekday: Int(tm.tm_wday))
  }

  static func appendDigits(_ value: Int, _ width: Int, _ out: inout [UInt8]) {
    let end = out.count + width
    out.append(contentsOf: repeatElement(0x30, count: width))
    var v = value
    var i = end - 1
    while i >= end - width {
      out[i] = UInt8(truncatingIfNeeded: 0x30 + v % 10)
      v /= 10
      i -= 1
    }
  }
}

/// The one repair applied to log text: invalid UTF-8 becomes U+FFFD, by the
/// same rule as Swift's `String(decoding:as:)` (Unicode's "maximal subpart").
public enum UTF8Repair {
  public static func append(_ bytes: [UInt8], to out: inout [UInt8]) {
    if isASCII(bytes) {
      out += bytes
    } else {
      out += String(decoding: bytes, as: UTF8.self).utf8
    }
  }

  /// The repaired text: `bytes` itself, not a copy, when it is ASCII.
  public static func repaired(_ bytes: [UInt8]) -> [UInt8] {
    isASCII(bytes) ? bytes : Array(String(decoding: bytes, as: UTF8.self).utf8)
  }

  public static func repairedLength(_ bytes: [UInt8]) -> Int {
    isASCII(bytes) ? bytes.count : String(decoding: bytes, as: UTF8.self).utf8.count
  }

  static func isASCII(_ bytes: [UInt8]) -> Bool {
    bytes.withUnsafeBufferPointer { buffer in
      var acc: UInt8 = 0
      for b in buffer { acc |= b }
      return acc < 0x80
    }
  }
}
