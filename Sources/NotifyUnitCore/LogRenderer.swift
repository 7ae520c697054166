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
///   lines, and each entry cut to `maxReadableLineBytes` with a note saying
///   how much was left out.
///
/// The prefix is `2026-11-27T03:36:59.123456+01:00 err ident[pid]: `.
public struct LogRenderer: Sendable {
  public enum Zone: Sendable { case utc, local }

  public var zone: Zone
  public var maxReadableLineBytes: Int

  public init(zone: Zone = .local, maxReadableLineBytes: Int = 4096) {
    self.zone = zone
    self.maxReadableLineBytes = max(maxReadableLineBytes, 64)
  }

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

  /// The exact line, newline-terminated.
  public func appendExactLine(_ record: LogRecord, to out: inout [UInt8]) {
    appendPrefix(of: record, to: &out)
    UTF8Repair.append(record.message, to: &out)
    out.append(0x0A)
  }

  /// Size of the exact line in bytes, without building it.
  public func exactLineLength(_ record: LogRecord) -> Int {
    var prefix: [UInt8] = []
    prefix.reserveCapacity(96)
    appendPrefix(of: record, to: &prefix)
    return prefix.count + UTF8Repair.repairedLength(record.message) + 1
  }

  /// The readable line, newline-terminated. Returns true when the entry was
  /// cut to `maxReadableLineBytes`.
  @discardableResult
  public func appendReadableLine(_ record: LogRecord, to out: inout [UInt8]) -> Bool {
    let start = out.count
    appendPrefix(of: record, to: &out)
    let indent = [UInt8](repeating: 0x20, count: min(out.count - start, 48))
    let limit = start + maxReadableLineBytes
    let text = String(decoding: record.message, as: UTF8.self)
    var consumed = 0  // bytes of the repaired message shown so far
    let total = text.utf8.count
    var cut = false
    for scalar in text.unicodeScalars {
      if out.count >= limit {
        out += Array(" [… \(total - consumed) more bytes in the attachment]".utf8)
        cut = true
        break
      }
      consumed += UTF8.width(scalar)
      let v = scalar.value
      switch v {
      case 0x0A:
        out.append(0x0A)
        out += indent
      case 0x09:
        out.append(0x09)
      case 0x00..<0x20:
        Self.appendScalar(Unicode.Scalar(0x2400 + v)!, to: &out)
      case 0x7F:
        Self.appendScalar("\u{2421}", to: &out)
      case 0x80..<0xA0:
        Self.appendScalar("\u{FFFD}", to: &out)
      default:
        Self.appendScalar(scalar, to: &out)
      }
    }
    out.append(0x0A)
    return cut
  }

  static func appendScalar(_ scalar: Unicode.Scalar, to out: inout [UInt8]) {
    UTF8.encode(scalar) { out.append($0) }
  }

  /// Identifier and PID: short tokens; anything that is not printable ASCII
  /// becomes "?" so a prefix is always one well-formed line.
  static func appendToken(_ bytes: [UInt8], to out: inout [UInt8]) {
    for b in bytes.prefix(64) { out.append(b > 0x20 && b < 0x7F ? b : 0x3F) }
  }

  // MARK: Timestamps

  /// `YYYY-MM-DDTHH:MM:SS.uuuuuu+HH:MM`, in UTC or the local zone.
  public func appendTimestamp(_ usec: UInt64, to out: inout [UInt8]) {
    let t = Self.brokenDown(seconds: Int(usec / 1_000_000), zone: zone)
    Self.appendDigits(t.year, 4, &out)
    out.append(0x2D)
    Self.appendDigits(t.month, 2, &out)
    out.append(0x2D)
    Self.appendDigits(t.day, 2, &out)
    out.append(0x54)
    Self.appendDigits(t.hour, 2, &out)
    out.append(0x3A)
    Self.appendDigits(t.minute, 2, &out)
    out.append(0x3A)
    Self.appendDigits(t.second, 2, &out)
    out.append(0x2E)
    Self.appendDigits(Int(usec % 1_000_000), 6, &out)
    let offset = t.offsetSeconds
    out.append(offset < 0 ? 0x2D : 0x2B)
    Self.appendDigits(abs(offset) / 3600, 2, &out)
    out.append(0x3A)
    Self.appendDigits(abs(offset) % 3600 / 60, 2, &out)
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
    var digits = [UInt8](repeating: 0x30, count: width)
    var v = value
    var i = width - 1
    while i >= 0 {
      digits[i] = UInt8(0x30 + v % 10)
      v /= 10
      i -= 1
    }
    out += digits
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
