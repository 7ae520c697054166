/// The last outcome of a unit as its state file keeps it (`UnitStateStore`):
/// "notify-unit-state 1", then one "key=value" a line.
public struct UnitStateRecord: Sendable, Equatable {
  public var success: Bool
  public var result: String
  public var invocationID: String?
  /// Microseconds since the epoch.
  public var time: UInt64
  /// What became of the report's mail and ping ("sent", "spooled",
  /// "skipped: ...", ...), for `notify-unit status`; nil in records
  /// written before these were kept, or when not said.
  public var mail: String?
  public var ping: String?
  /// When the unit last succeeded and last failed (microseconds since the
  /// epoch), for the metrics: a failure keeps the last success's time.
  public var lastSuccess: UInt64?
  public var lastFailure: UInt64?
  /// The failures in a row up to this run, for ALERT_AFTER and
  /// REMIND_EVERY (`AlertRules`).
  public var streak = AlertStreak()

  public init(
    success: Bool, result: String, invocationID: String?, time: UInt64, mail: String? = nil,
    ping: String? = nil, lastSuccess: UInt64? = nil, lastFailure: UInt64? = nil,
    streak: AlertStreak = AlertStreak()
  ) {
    self.streak = streak
    self.success = success
    self.result = result
    self.invocationID = invocationID
    self.time = time
    self.mail = mail
    self.ping = ping
    self.lastSuccess = lastSuccess
    self.lastFailure = lastFailure
  }

  static let header = "notify-unit-state 1"

  /// The record in a state file's text; nil when it is not one.
  public static func parse(_ text: String) -> UnitStateRecord? {
    guard let values = KeyValueFile.values(text, header: header) else { return nil }
    guard let success = values["success"], success == "yes" || success == "no",
      let result = values["result"], let time = values["time"].flatMap({ UInt64($0) })
    else { return nil }
    let invocation = values["invocation"].flatMap { $0.isEmpty ? nil : $0 }
    // mail= and ping= came later: a record without them is still read.
    return UnitStateRecord(
      success: success == "yes", result: result, invocationID: invocation, time: time,
      mail: values["mail"], ping: values["ping"],
      lastSuccess: values["last-success"].flatMap { UInt64($0) },
      lastFailure: values["last-failure"].flatMap { UInt64($0) },
      streak: AlertStreak(
        failures: values["failures"].flatMap { UInt64($0) } ?? 0,
        since: values["failing-since"].flatMap { UInt64($0) },
        lastAlert: values["last-alert"].flatMap { UInt64($0) }))
  }

  /// The state file's text, every value on its own line: a value that
  /// could hold a line break (the invocation, said from outside) is shown
  /// by the display rule, so it cannot add a line of its own.
  public func formatted(unit: String) -> String {
    let r = self
    return """
      \(Self.header)
      unit=\(unit.sanitizedForDisplay(maxLength: 256))
      success=\(r.success ? "yes" : "no")
      result=\(r.result.sanitizedForDisplay(maxLength: 64))
      invocation=\((r.invocationID ?? "").sanitizedForDisplay(maxLength: 64))
      time=\(r.time)

      """
        + (r.mail.map { "mail=\($0.sanitizedForDisplay(maxLength: 200))\n" } ?? "")
        + (r.ping.map { "ping=\($0.sanitizedForDisplay(maxLength: 200))\n" } ?? "")
        + (r.lastSuccess.map { "last-success=\($0)\n" } ?? "")
        + (r.lastFailure.map { "last-failure=\($0)\n" } ?? "")
        + (r.streak.failures > 0 ? "failures=\(r.streak.failures)\n" : "")
        + (r.streak.since.map { "failing-since=\($0)\n" } ?? "")
        + (r.streak.lastAlert.map { "last-alert=\($0)\n" } ?? "")
  }
}
