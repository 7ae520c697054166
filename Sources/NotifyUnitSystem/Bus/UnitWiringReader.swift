import NotifyUnitCore

#if canImport(Glibc)
  import Glibc
#endif

/// Reads how a unit is wired to notify-unit from systemd over D-Bus, for
/// `notify-unit doctor UNIT`: its ExecStopPost= (and ExecStartPre=,
/// ExecStart=) commands with their prefixes and whether their executables
/// are there, OnFailure=, User= and its groups, and its environment
/// (Environment= and the EnvironmentFile= files, read as systemd would).
public enum UnitWiringReader {
  static let unitInterface = "org.freedesktop.systemd1.Unit"
  static let serviceInterface = "org.freedesktop.systemd1.Service"

  /// Only an unreachable bus is an error; a unit systemd does not know
  /// comes back with its LoadState ("not-found").
  public static func read(_ unit: String, bus: SystemBus) throws(BusError) -> UnitWiring {
    let path = SystemBus.unitPath(unit)
    var wiring = UnitWiring(unit: unit, loadState: try bus.string(path, unitInterface, "LoadState"))
    guard wiring.loadState == "loaded" else { return wiring }
    wiring.onFailure = try bus.strings(path, unitInterface, "OnFailure")
    guard unit.hasSuffix(".service") else { return wiring }
    // Looked at as root would: systemd runs them, not doctor's user.
    func commands(_ name: String) throws(BusError) -> [UnitWiring.Command] {
      try bus.execCommandLines(path, serviceInterface, name).map { command in
        var command = command
        var st = stat()
        command.isExecutable =
          stat(command.path, &st) == 0 && st.st_mode & S_IFMT == S_IFREG
          && st.st_mode & 0o111 != 0
        return command
      }
    }
    wiring.execStopPost = try commands("ExecStopPost")
    wiring.execStartPre = try commands("ExecStartPre")
    wiring.execStart = try commands("ExecStart")
    wiring.user = try bus.string(path, serviceInterface, "User")
    // systemd.exec(5), since 240; an older systemd has no such property:
    // unknown, so no warning (1).
    wiring.logRateLimitBurst =
      (try? bus.trivial(path, serviceInterface, "LogRateLimitBurst", as: UInt32.self)) ?? 1
    var groups = try bus.strings(path, serviceInterface, "SupplementaryGroups")
    let group = try bus.string(path, serviceInterface, "Group")
    if !group.isEmpty { groups.append(group) }
    if !wiring.user.isEmpty, let own = UserGroups.of(wiring.user) { groups += own }
    wiring.groups = groups

    // systemd.exec(5): Environment= first, then the files in order, a later
    // assignment winning.
    for item in try bus.strings(path, serviceInterface, "Environment") {
      guard let eq = item.firstIndex(of: "=") else { continue }
      wiring.environment.append(
        (String(item[..<eq]), String(item[item.index(after: eq)...])))
    }
    for file in try bus.environmentFiles(path, serviceInterface) {
      switch Host.readFile(file.path, maxBytes: 1 << 20) {
      case .success(let text):
        for a in EnvironmentFile.parse(text).assignments {
          wiring.environment.append((a.key, a.value))
        }
      case .failure(let error):
        if !(file.optional && error.isMissing) {
          wiring.unreadableEnvironmentFiles.append(file.path)
        }
      }
    }
    return wiring
  }
}
