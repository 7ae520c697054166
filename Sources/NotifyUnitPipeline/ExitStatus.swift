/// notify-unit's exit statuses, from sysexits.h so that scripts and systemd
/// logs read them the usual way. Documented in the README and in --help.
public enum ExitStatus: Int32, Comparable {
  case delivered = 0
  /// A mail or ping was neither delivered nor kept in the spool
  /// (EX_TEMPFAIL). A report kept in the spool is not a failure: nothing is
  /// lost, and the unit must not fail for a relay that is down.
  case temporaryFailure = 75
  /// The config file had problems (nothing was sent); an invocation ID in
  /// the environment was malformed; or nothing is configured to deliver to
  /// (EX_CONFIG).
  case configProblem = 78
  /// A flag's value was unusable: nothing was sent (EX_USAGE).
  case usage = 64
  /// An input named on the command line (a journal file) cannot be opened (EX_NOINPUT).
  case noInput = 66
  /// A misconfiguration or refusal: sendmail missing or failing (the mail is
  /// spooled all the same), or Healthchecks answering 4xx (EX_UNAVAILABLE).
  case refused = 69

  /// When several things went wrong, the most serious decides.
  private var rank: Int {
    switch self {
    case .delivered: 0
    case .temporaryFailure: 1
    case .configProblem: 2
    case .usage: 3
    case .noInput: 4
    case .refused: 5
    }
  }

  public static func < (a: ExitStatus, b: ExitStatus) -> Bool { a.rank < b.rank }
}
