import NotifyUnitCore

#if canImport(Glibc)
  import Glibc
#endif

/// The groups of a user, by name, from the user and group databases (NSS):
/// what decides whether a unit's User= can read the journal.
public enum UserGroups {
  /// The names of the groups `user` is in (its primary group included);
  /// nil when there is no such user.
  public static func of(_ user: String) -> [String]? {
    guard let pw = getpwnam(user) else { return nil }
    let primary = pw.pointee.pw_gid
    var count: Int32 = 64
    while true {
      var gids = [gid_t](repeating: 0, count: Int(count))
      let wanted = count
      let n = getgrouplist(user, primary, &gids, &count)
      if n >= 0 { return gids.prefix(Int(count)).compactMap(name(of:)) }
      // -1: too small, and `count` now holds the number needed.
      guard count > wanted else { return [name(of: primary)].compactMap { $0 } }
    }
  }

  /// The groups of this process: its group and its supplementary groups.
  public static var current: [String] {
    let n = getgroups(0, nil)
    var gids = [gid_t](repeating: 0, count: Int(max(0, n)))
    let got = n > 0 ? getgroups(n, &gids) : 0
    return ([getegid()] + gids.prefix(Int(max(0, got)))).compactMap(name(of:))
  }

  /// This process's user name, "root" for uid 0 whatever its name.
  public static var currentUser: String {
    if geteuid() == 0 { return "root" }
    guard let pw = getpwuid(geteuid()), let name = pw.pointee.pw_name else {
      return String(geteuid())
    }
    return String(cString: name)
  }

  static func name(of gid: gid_t) -> String? {
    guard let gr = getgrgid(gid), let name = gr.pointee.gr_name else { return nil }
    return String(cString: name)
  }
}
