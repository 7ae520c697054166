/// A unit's run of consecutive failures, as its state record keeps it:
/// how many, since when, and when the last alarm (or reminder) went out.
public struct AlertStreak: Sendable, Equatable {
  public var failures: UInt64 = 0
  /// Microseconds since the epoch: the streak's first failure.
  public var since: UInt64? = nil
  /// Microseconds since the epoch: the alarm or the last reminder; nil
  /// while no alarm went out for this streak.
  public var lastAlert: UInt64? = nil

  public init(failures: UInt64 = 0, since: UInt64? = nil, lastAlert: UInt64? = nil) {
    self.failures = failures
    self.since = since
    self.lastAlert = lastAlert
  }
}

/// What a run means for alerting (ALERT_AFTER, REMIND_EVERY): the first
/// N−1 failures in a row raise no alarm, the N-th does, and while the unit
/// stays failed at most one reminder an interval goes out.
public enum AlertStep: Sendable, Equatable {
  /// A success after successes, or a skipped run: nothing to say.
  case none
  /// Failure `failure` of `of` in a row: recorded, no alarm yet.
  case building(failure: UInt64, of: UInt64)
  /// The failure that raises the alarm (the first one when ALERT_AFTER=1).
  case alarm(failures: UInt64)
  /// Still failing after the alarm; the next reminder is due at `nextReminder`.
  case quiet(failures: UInt64, nextReminder: UInt64)
  /// Still failing, and a reminder is due.
  case reminder(failures: UInt64, since: UInt64)
  /// The first success after `failures` failures since `since`;
  /// `alerted` when an alarm went out for them.
  case recovered(failures: UInt64, since: UInt64, alerted: Bool)

  /// A failure before the alarm: Healthchecks gets it as /log.
  public var isBuilding: Bool {
    if case .building = self { return true }
    return false
  }

  /// Mail and push channels hold back (unless their *_ON=always): no alarm
  /// is due for this failure.
  public var holdsBack: Bool {
    switch self {
    case .building, .quiet: true
    default: false
    }
  }
}

/// The rules of `AlertStep`: pure, the clock given.
public struct AlertRules: Sendable, Equatable {
  /// ALERT_AFTER: the failure in a row that raises the alarm (1: the first).
  public var alertAfter: UInt64
  /// REMIND_EVERY in seconds; 0: every failure is sent.
  public var remindEvery: Double

  public init(alertAfter: UInt64 = 1, remindEvery: Double = 86400) {
    self.alertAfter = max(1, alertAfter)
    self.remindEvery = max(0, remindEvery)
  }

  /// This run's step and the streak to keep; `now` is the run's time
  /// (microseconds since the epoch).
  public func step(verdict: Verdict, streak: AlertStreak, now: UInt64) -> (AlertStep, AlertStreak) {
    if verdict.isUp {
      guard streak.failures > 0 else { return (.none, AlertStreak()) }
      return (
        .recovered(
          failures: streak.failures, since: streak.since ?? now, alerted: streak.lastAlert != nil),
        AlertStreak()
      )
    }
    guard verdict.isFailure else { return (.none, streak) }  // skipped: nothing changes
    // Saturating: a count kept in a file another run wrote cannot trap.
    let failures = streak.failures == .max ? .max : streak.failures + 1
    var next = AlertStreak(
      failures: failures, since: streak.since ?? now, lastAlert: streak.lastAlert)
    guard failures >= alertAfter else {
      return (.building(failure: failures, of: alertAfter), next)
    }
    guard let last = streak.lastAlert else {
      next.lastAlert = now
      return (.alarm(failures: failures), next)
    }
    let interval = UInt64(min(remindEvery, 1e12) * 1e6)
    let due = last > UInt64.max - interval ? UInt64.max : last + interval
    guard remindEvery > 0, now < due else {
      next.lastAlert = now
      return (.reminder(failures: failures, since: next.since ?? now), next)
    }
    return (.quiet(failures: failures, nextReminder: due), next)
  }
}

extension AlertStep {
  /// The words put before the run's reason in every channel's headline
  /// ("failed 3 runs in a row"); nil when the step adds none (a failure
  /// between reminders, sent only under *_ON=always, reads as before).
  /// `time` renders a moment (microseconds since the epoch).
  public func headlinePrefix(time: (UInt64) -> String) -> String? {
    switch self {
    case .building(let n, let of): "failure \(n) of \(of) before an alert"
    case .alarm(let n) where n > 1: "failed \(n) runs in a row"
    case .reminder(let n, let since): "still failing: \(n) failed runs since \(time(since))"
    default: nil
    }
  }

  /// What a recovery recovers from ("after 37 failed runs over 2 d 3 h"),
  /// `now` the recovering run's time; nil for any other step.
  public func recoveredFrom(now: UInt64) -> String? {
    guard case .recovered(let n, let since, _) = self else { return nil }
    let runs = n == 1 ? "1 failed run" : "\(n) failed runs"
    return "after \(runs) over \(roughDuration(Double(now - min(now, since)) / 1e6))"
  }
}

/// A duration as a person says it: "45 s", "12 min", "5 h 20 min", "2 d 3 h".
public func roughDuration(_ seconds: Double) -> String {
  let s = Int(min(max(0, seconds), 1e12).rounded())
  if s < 60 { return "\(s) s" }
  if s < 3600 { return "\(s / 60) min" }
  if s < 86400 {
    return s % 3600 / 60 == 0 ? "\(s / 3600) h" : "\(s / 3600) h \(s % 3600 / 60) min"
  }
  return s % 86400 / 3600 == 0 ? "\(s / 86400) d" : "\(s / 86400) d \(s % 86400 / 3600) h"
}

/// The sentence a report's body carries about its place in a streak.
public enum AlertNotes {
  public static func sentence(_ step: AlertStep, rules: AlertRules) -> String? {
    switch step {
    case .building(let n, let of):
      return
        "This is failure \(n) of \(of) in a row: no alarm before the \(of)th (ALERT_AFTER=\(of)); Healthchecks gets it as a log entry, the check stays up."
    case .reminder(let n, _):
      return rules.remindEvery > 0
        ? "A reminder: the unit has failed \(n) runs in a row; reminders go out at most every \(roughDuration(rules.remindEvery)) (REMIND_EVERY)."
        : nil
    case .recovered(let n, _, alerted: false):
      return
        "It follows \(n == 1 ? "1 failure" : "\(n) failures") in a row that raised no alarm (ALERT_AFTER=\(rules.alertAfter))."
    default:
      return nil
    }
  }
}
