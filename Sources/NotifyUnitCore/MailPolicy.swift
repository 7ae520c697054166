/// When a run is mailed (MAIL_ON): pings are always sent, mails only when
/// they tell something. `change` (the default) mails every failure and the
/// first success after a failure ("recovered"), and the first report of a
/// unit notify-unit has not seen before; `failure` mails failures only;
/// `always` mails every run.
public enum MailPolicy: String, Sendable, Equatable, CaseIterable {
  case always, failure, change

  public static let `default` = MailPolicy.change

  public enum Decision: Sendable, Equatable {
    case mail
    /// A success after a failure: mailed, marked as a recovery.
    case mailRecovered
    case skip(reason: String)
  }

  /// `previousSuccess` is the unit's last recorded outcome, nil when none.
  public func decide(success: Bool, previousSuccess: Bool?) -> Decision {
    switch self {
    case .always:
      return success && previousSuccess == false ? .mailRecovered : .mail
    case .failure:
      return success ? .skip(reason: "MAIL_ON=failure and the run succeeded") : .mail
    case .change:
      if !success { return .mail }
      switch previousSuccess {
      case false?: return .mailRecovered
      case true?: return .skip(reason: "MAIL_ON=change and the run succeeded, as the last one did")
      case nil: return .mail
      }
    }
  }

  /// The config key of a per-unit override: MAIL_ON_ and the unit's name
  /// with every character but [A-Za-z0-9] as "_" (backup.service:
  /// MAIL_ON_backup_service).
  public static func overrideKey(for unit: String) -> String {
    "MAIL_ON_"
      + String(
        unit.unicodeScalars.map { s in
          s.isASCII && (s.properties.isAlphabetic || ("0"..."9").contains(s)) ? Character(s) : "_"
        })
  }
}
