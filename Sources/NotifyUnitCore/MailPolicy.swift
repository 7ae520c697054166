/// When a channel reports a run (MAIL_ON, HC_ON, ...): `change` (mail's
/// default) reports every failure and the first success after a failure
/// ("recovered"), and the first report of a unit notify-unit has not seen
/// before; `failure` reports failures only; `always` (Healthchecks'
/// default) reports every run.
public enum MailPolicy: String, Sendable, Equatable, CaseIterable {
  case always, failure, change

  public static let `default` = MailPolicy.change

  public enum Decision: Sendable, Equatable {
    case mail
    /// A success after a failure: mailed, marked as a recovery.
    case mailRecovered
    case skip(reason: String)
  }

  /// `previousSuccess` is the unit's last recorded outcome (a warning
  /// counts as a success), nil when none; `key` names the setting in a
  /// skip's reason. A warning is a change worth telling under `change`; a
  /// skipped run (the job decided not to run) only under `always`.
  public func decide(verdict: Verdict, previousSuccess: Bool?, key: String = "MAIL_ON")
    -> Decision
  {
    switch (self, verdict) {
    case (_, .failure), (_, .interrupted): return .mail
    case (.always, .success): return previousSuccess == false ? .mailRecovered : .mail
    case (.always, _): return .mail
    case (.failure, .success), (.failure, .warning):
      return .skip(reason: "\(key)=failure and the run succeeded")
    case (_, .skipped): return .skip(reason: "\(key)=\(rawValue) and the run was skipped")
    case (.change, .warning): return .mail
    case (.change, .success):
      switch previousSuccess {
      case false?: return .mailRecovered
      case true?: return .skip(reason: "\(key)=change and the run succeeded, as the last one did")
      case nil: return .mail
      }
    }
  }

  /// The config key of a per-unit override: the channel's key, "_" and the
  /// unit's name with every character but [A-Za-z0-9] as "_" (backup.service:
  /// MAIL_ON_backup_service).
  public static func overrideKey(for unit: String, channelKey: String = "MAIL_ON") -> String {
    channelKey + "_"
      + String(
        unit.unicodeScalars.map { s in
          s.isASCII && (s.properties.isAlphabetic || ("0"..."9").contains(s)) ? Character(s) : "_"
        })
  }
}
