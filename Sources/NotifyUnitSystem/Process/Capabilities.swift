import CPrivileges

#if canImport(Glibc)
  import Glibc
#endif

/// notify-unit needs no capability. Run from a unit with
/// AmbientCapabilities= (the backup's CAP_DAC_READ_SEARCH for restic), it
/// would hold them all the same: it gives them up before reading anything.
public enum Capabilities {
  /// Drops every capability of a process that is not root (root's own
  /// files, the journal's among them, need none; sendmail is set-uid).
  /// nil when done or nothing to do, else why not.
  public static func dropUnlessRoot() -> String? {
    guard getuid() != 0, nu_holds_capabilities() != 0 else { return nil }
    guard nu_drop_capabilities() == 0 else {
      return "could not drop capabilities: \(String(cString: strerror(errno)))"
    }
    return nil
  }

  public static var held: Bool { nu_holds_capabilities() == 1 }
}
