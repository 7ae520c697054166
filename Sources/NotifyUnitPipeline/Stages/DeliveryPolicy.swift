import NotifyUnitCore
import NotifyUnitSystem

/// The pipeline's policy stage: whether a run is reported at all, and on
/// which channels, from the unit's last recorded outcome.
public struct DeliveryPolicy {
  public var settings: Settings
  /// The unit's last outcome, nil when none is known.
  public var previousSuccess: Bool?

  public init(settings: Settings, previousSuccess: Bool?) {
    self.settings = settings
    self.previousSuccess = previousSuccess
  }

  /// One failure, one report: an OnFailure= handler stays quiet when the
  /// failed run's own ExecStopPost= notify-unit delivered its report. A
  /// start refused by the start limit has no run, nor a report of its own:
  /// the ExecStopPost= report systemd shows is the last run's, so that one
  /// is reported, once (the handler's last record is of the same refusal
  /// when it reported it already). Returns why it stays quiet, nil when it
  /// reports.
  public static func handlerStaysQuiet(
    isHandler: Bool, report: Report, previous: UnitStateStore.Record? = nil
  ) -> String? {
    guard isHandler else { return nil }
    if report.outcome.result == .startLimitHit {
      let again =
        previous?.result == ServiceResult.startLimitHit.rawValue
        && previous?.invocationID == report.invocationID
      return again ? "this refusal to start it was reported already" : nil
    }
    guard let status = report.status else { return nil }
    if let id = report.invocationID, let current = status.invocationID, current != id {
      // The unit ran again since: systemd 257 starts the handler on every
      // failed run of a Restart= unit, sometimes once the next run began,
      // whose status no longer tells how the failed run's ExecStopPost=
      // ended. systemd ran it before the restart.
      return status.hasExecStopPostReporter
        ? "it ran again since; its ExecStopPost= notify-unit, run before that, reports the failed run"
        : nil
    }
    return status.reportedByExecStopPost
      ? "its ExecStopPost= notify-unit reported this run already" : nil
  }

  /// A success after a failure: every channel marks it as a recovery.
  public func recovered(_ report: Report) -> Bool {
    report.verdict == .success && previousSuccess == false
  }

  /// The decision of the channel whose policy key is `key` for this run.
  /// A channel that `followsAlerts` (mail, push) also holds back a failure
  /// that raises no alarm (`AlertStep.holdsBack`), unless its policy is
  /// `always`.
  public func decide(_ key: String, report: Report, followsAlerts: Bool = false)
    -> MailPolicy.Decision
  {
    let policy = settings.policy(key, for: report.unit)
    if followsAlerts, policy != .always, report.alert.holdsBack {
      let rules = settings.alertRules(for: report.unit)
      switch report.alert {
      case .building(let n, let of):
        return .skip(
          reason: "failure \(n) of \(of) in a row, no alarm before the \(of)th (ALERT_AFTER)")
      case .quiet(_, let next):
        return .skip(
          reason:
            "still failing since the alarm; the next reminder is due after \(LogRenderer(zone: .local).timestamp(next)) (REMIND_EVERY=\(roughDuration(rules.remindEvery)))"
        )
      default: break
      }
    }
    return policy.decide(verdict: report.verdict, previousSuccess: previousSuccess, key: key)
  }
}
