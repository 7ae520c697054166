import NotifyUnitCore

/// The files notify-unit reads back from its spool and state directory (a
/// spooled request or ping, a unit's state, a run's start, the servers'
/// ping body limits), as a planted or damaged file can hold anything: each
/// parser never traps, what it accepts reads back the same once written,
/// and a value written from outside cannot add a line of its own.
public enum SpoolCheck {
  /// Fields: 0 a file's bytes, tried as every kind; 1 knobs (8 bytes time,
  /// 1 byte flags); 2 to 7 texts for a record written from outside (unit,
  /// result, invocation, mail, ping, boot).
  public static func check(fuzzInput bytes: [UInt8]) -> Violations {
    let f = FuzzFields(bytes)
    var v = Violations()
    let file = f[0]
    let text = String(decoding: file, as: UTF8.self)

    if let request = SpooledRequest.decode(file) {
      v.expect(
        SpooledRequest.channels.contains(request.channel), "channel \(show(request.channel))")
      for header in request.headers {
        v.expect(
          !(header.name + header.value).unicodeScalars.contains { $0 == "\n" },
          "a header with a line break: \(show(header.name))")
      }
      let again = SpooledRequest.decode(request.encoded())
      v.expect(
        again?.encoded() == request.encoded() && again?.body == request.body
          && again?.channel == request.channel, "a request that does not read back")
    }
    if let ping = SpooledPing.decode(file) {
      v.expect(!MailCheck.hasControl(ping.url), "ping URL \(show(ping.url))")
      v.expect(SpooledPing.decode(ping.encoded) == ping, "a ping that does not read back")
      v.expect(ping.encoded == file, "a ping read as other bytes than its file's")
    }
    if let record = UnitStateRecord.parse(text) {
      v.append(readsBack(record, unit: "u.service"))
    }
    if let start = RunStart.parse(text) {
      v.expect(
        normalizedInvocationID(start.invocationID) != nil, "start of \(show(start.invocationID))")
      let again = RunStart.parse(start.formatted)
      v.expect(
        again?.time == start.time && again.map { RunStart.parse($0.formatted) == $0 } == true,
        "a start that does not read back")
    }
    if let limits = PingBodyLimits.parse(text) {
      v.expect(limits.limits.values.allSatisfy { $0 >= 0 }, "a negative limit")
      v.expect(PingBodyLimits.parse(limits.formatted) == limits, "limits that do not read back")
    }

    // Records written from values said outside notify-unit.
    var time: UInt64 = 0
    for k in 0..<8 { time = time << 8 | UInt64(f.byte(1, k, default: 0)) }
    let flags = f.byte(1, 8, default: 0)
    let record = UnitStateRecord(
      success: flags & 1 == 1, result: f.text(3), invocationID: f.optionalText(4), time: time,
      mail: f.optionalText(5), ping: f.optionalText(6),
      lastSuccess: flags & 2 == 0 ? nil : time / 2, lastFailure: flags & 4 == 0 ? nil : time / 3,
      streak: AlertStreak(
        failures: UInt64(flags >> 4), since: flags & 8 == 0 ? nil : time / 5, lastAlert: nil))
    v.append(readsBack(record, unit: f.text(2)))
    let start = RunStart(
      unit: f.text(2), invocationID: f.text(4), time: time, bootID: f.text(7),
      pingURL: f.optionalText(6))
    if let again = RunStart.parse(start.formatted) {
      v.expect(again.time == start.time, "start time \(again.time) for \(start.time)")
      if let url = start.pingURL, !MailCheck.hasControl(url) {
        v.expect(again.pingURL == url, "ping URL \(show(again.pingURL ?? "(none)"))")
      } else {
        v.expect(again.pingURL == nil, "a ping URL from a value with a line break")
      }
    } else {
      v.expect(
        normalizedInvocationID(start.invocationID) == nil || start.bootID.isEmpty
          || start.invocationID.utf8.count > 64 || start.bootID.utf8.count > 64
          || start.invocationID != start.invocationID.trimmingASCIIWhitespace,
        "a start that does not read back")
    }
    return v
  }

  /// The record once written: its numbers and flags unchanged whatever its
  /// texts hold, and written again, the same text.
  static func readsBack(_ record: UnitStateRecord, unit: String) -> Violations {
    var v = Violations()
    let text = record.formatted(unit: unit)
    guard let again = UnitStateRecord.parse(text) else {
      v.fail("a state that does not read back: \(show(text))")
      return v
    }
    v.expect(
      again.success == record.success && again.time == record.time
        && again.lastSuccess == record.lastSuccess && again.lastFailure == record.lastFailure
        && again.streak == record.streak, "state numbers \(show(text))")
    // Read back and written again, it stays as it is (the first writing
    // may still change a text: a dotted circle before a leading mark is
    // one more character in the bound the next time).
    let second = again.formatted(unit: unit)
    v.expect(
      UnitStateRecord.parse(second)?.formatted(unit: unit) == second,
      "a state written again differs: \(show(second))")
    return v
  }
}
