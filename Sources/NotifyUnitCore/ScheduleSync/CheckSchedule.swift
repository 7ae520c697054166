/// A Healthchecks check's schedule, as its Management API v3 takes it:
/// `schedule` (systemd OnCalendar expressions, one per line, which
/// Healthchecks accepts beside cron), `tz` (an IANA zone) and `grace`
/// (seconds, 60 to 31536000).
public struct CheckSchedule: Sendable, Equatable {
  public var schedule: String
  public var tz: String
  public var grace: Int
  /// How grace was reckoned, for the dry run.
  public var graceReason: String

  public init(schedule: String, tz: String, grace: Int, graceReason: String) {
    self.schedule = schedule
    self.tz = tz
    self.grace = grace
    self.graceReason = graceReason
  }

  /// Healthchecks' limits (healthchecks.md).
  public static let maximumScheduleLength = 100
  public static let graceRange = 60...31_536_000
  /// Beyond the random delay and the longest run: systemd's default
  /// AccuracySec= (1 min) and a slow start.
  public static let margin = 300.0

  /// The check's schedule for `timer`: its calendar without a zone suffix,
  /// the zone (the expressions' own, else `hostZone`), and grace to cover
  /// RandomizedDelaySec=, the longest of `durations` and a margin. Refused
  /// with one line when Healthchecks cannot follow the timer.
  public static func derive(
    from timer: TimerTriggers, hostZone: String, durations: [Double]
  ) throws(ScheduleSyncError) -> CheckSchedule {
    let name = timer.timer.sanitizedForDisplay(maxLength: 100)
    guard !timer.calendars.isEmpty else {
      if timer.monotonic.isEmpty {
        throw ScheduleSyncError("\(name) has no trigger: give it an OnCalendar= line")
      }
      let kinds = timer.monotonic.map {
        $0.hasSuffix("USec") ? String($0.dropLast(4)) + "Sec=" : $0
      }
      throw ScheduleSyncError(
        "\(name) has only monotonic triggers (\(kinds.joined(separator: ", "))), which Healthchecks cannot follow: give the timer an OnCalendar= line, or set the check's period by hand"
      )
    }
    var expressions: [String] = []
    var zones: Set<String> = []
    for spec in timer.calendars {
      let (expression, zone) = try split(spec, timer: name)
      expressions.append(expression)
      zones.insert(zone ?? hostZone)
    }
    guard zones.count == 1, let tz = zones.first else {
      throw ScheduleSyncError(
        "\(name)'s OnCalendar= lines are in different time zones (\(zones.sorted().joined(separator: ", "))), but a check has one: use one zone"
      )
    }
    let schedule = expressions.joined(separator: "\n")
    guard schedule.utf8.count <= maximumScheduleLength else {
      throw ScheduleSyncError(
        "\(name)'s calendar is \(schedule.utf8.count) characters, over the \(maximumScheduleLength) a Healthchecks schedule holds: shorten its OnCalendar= lines"
      )
    }
    let longest = durations.filter { $0.isFinite && $0 >= 0 }.max()
    let raw = timer.randomizedDelay + (longest ?? 0) + margin
    let grace = min(max(Int(raw.rounded(.up)), graceRange.lowerBound), graceRange.upperBound)
    let run = longest.map { "longest recent run \(Int($0.rounded(.up))) s" } ?? "no run known yet"
    let reason =
      "RandomizedDelaySec \(Int(timer.randomizedDelay)) s + \(run) + margin \(Int(margin)) s"
    return CheckSchedule(schedule: schedule, tz: tz, grace: grace, graceReason: reason)
  }

  /// An expression as systemd prints it, and its zone when it names one
  /// (its last word, after the time: "UTC", "Europe/Berlin").
  static func split(_ spec: String, timer: String) throws(ScheduleSyncError) -> (
    String, String?
  ) {
    let words = spec.split(separator: " ")
    guard !words.isEmpty,
      spec.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F })
    else {
      throw ScheduleSyncError("\(timer) has an empty or unreadable OnCalendar= expression")
    }
    var zone: String? = nil
    var body = words
    if words.count > 1, let last = words.last, let first = last.utf8.first,
      !(first >= 0x30 && first <= 0x39) && first != 0x2A
    {
      zone = String(last)
      body.removeLast()
    }
    let expression = body.joined(separator: " ")
    // Sub-second times ("00:00:00.5") have no counterpart in Healthchecks.
    if let time = body.last, time.contains(".") {
      throw ScheduleSyncError(
        "\(timer)'s OnCalendar=\(spec.sanitizedForDisplay(maxLength: 100)) has fractions of a second, which a Healthchecks schedule cannot express: use whole seconds"
      )
    }
    return (expression, zone)
  }

  /// The API's JSON body.
  public var json: String {
    JSON.object([
      ("schedule", JSON.string(schedule)), ("tz", JSON.string(tz)), ("grace", String(grace)),
    ])
  }
}

/// Why a check's schedule cannot be set: one line, naming the fix.
public struct ScheduleSyncError: Error, CustomStringConvertible, Sendable, Equatable {
  public var description: String
  public init(_ description: String) { self.description = description }
}
