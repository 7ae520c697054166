/// One check of `notify-unit doctor`: what was looked at, whether it is
/// right, and when not, how to fix it. No secret ever goes into one: checks,
/// ping keys and passwords are shown masked by whoever makes the check.
public struct DoctorCheck: Sendable, Equatable {
  /// What was checked, e.g. "mail" or "backup.service: ExecStopPost=".
  public var subject: String
  public var passed: Bool
  /// What was found, in a few words.
  public var finding: String
  /// What to do about it; only for a failed check.
  public var fix: String?

  public static func pass(_ subject: String, _ finding: String) -> DoctorCheck {
    DoctorCheck(subject: subject, passed: true, finding: finding, fix: nil)
  }

  public static func fail(_ subject: String, _ finding: String, fix: String) -> DoctorCheck {
    DoctorCheck(subject: subject, passed: false, finding: finding, fix: fix)
  }

  /// Works, but something is likely to go wrong: passed, with a fix.
  public static func warn(_ subject: String, _ finding: String, fix: String) -> DoctorCheck {
    DoctorCheck(subject: subject, passed: true, finding: finding, fix: fix)
  }

  /// "✓ mail: …", "⚠ mail: … — fix: …" (a warning) or "✗ mail: … — fix: …",
  /// on one line whatever the finding held (a file name, a server's answer).
  public var line: String {
    let text = "\(subject): \(finding)" + (fix.map { " — fix: \($0)" } ?? "")
    let mark = passed ? (fix == nil ? "✓ " : "⚠ ") : "✗ "
    return mark + text.sanitizedForDisplay(maxLength: 600)
  }
}

/// All the checks of one `doctor` run.
public struct DoctorReport: Sendable {
  public var checks: [DoctorCheck] = []

  public init(checks: [DoctorCheck] = []) { self.checks = checks }

  public var allPassed: Bool { checks.allSatisfy(\.passed) }

  /// One line a check, then a summary line.
  public var text: String {
    let failed = checks.filter { !$0.passed }.count
    let summary =
      failed == 0
      ? "all \(checks.count) checks passed"
      : "\(failed) of \(checks.count) checks failed"
    return (checks.map(\.line) + [summary]).joined(separator: "\n") + "\n"
  }
}

/// Who can read the system journal (systemd-journald.service(8)): root, and
/// members of systemd-journal, adm or wheel.
public enum JournalAccess {
  public static let groups = ["systemd-journal", "adm", "wheel"]

  /// The group that gives `user` the journal, "root" for root, nil for none.
  public static func grantedBy(user: String, groups memberOf: [String]) -> String? {
    if user == "root" || user == "0" { return "root" }
    return groups.first { memberOf.contains($0) }
  }
}
