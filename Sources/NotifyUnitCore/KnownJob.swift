/// A job whose exit statuses mean something known, recognised from its log:
/// a status is then named by the job, not by systemd (whose LSB names, such
/// as "NOTIMPLEMENTED" for 3, are not the job's). Unknown jobs' statuses are
/// given as numbers alone.
public enum KnownJob: String, Sendable, Equatable {
  case restic

  /// What the job means by exiting with `status`, when it says.
  public func meaning(ofExitStatus status: Int) -> String? {
    switch self {
    // restic's doc/075_scripting.rst: 3 since 0.10, 10-12 since 0.17, 130 since 0.19.
    case .restic:
      switch status {
      case 3: "some source files could not be read"
      case 10: "the repository does not exist"
      case 11: "the repository could not be locked"
      case 12: "wrong password"
      case 130: "restic was interrupted"
      default: nil
      }
    }
  }
}
