import NotifyUnitCore

/// Reads a unit's status from systemd over D-Bus: what `systemctl status`
/// shows, and what an OnFailure= handler needs when systemd gives it no
/// MONITOR_* variables (before 251).
public enum UnitStatusReader {
  static let unitInterface = "org.freedesktop.systemd1.Unit"
  static let serviceInterface = "org.freedesktop.systemd1.Service"

  /// Properties a unit type lacks (a timer has no ExecMainCode) are left
  /// nil; only an unreachable bus or an unknown unit is an error.
  public static func read(_ unit: String, bus: SystemBus) throws(BusError) -> UnitStatus {
    let path = SystemBus.unitPath(unit)
    var s = UnitStatus()
    let loadState = try bus.string(path, unitInterface, "LoadState")
    guard loadState != "not-found" else {
      throw BusError("looking up \(unit): systemd knows no such unit", -2)
    }
    // Each property below is shown when it can be read: one a unit type or
    // an older systemd lacks (a timer has no ExecMainCode, MemoryPeak came
    // in 255) is left out, not an error; the bus itself answered LoadState.
    s.description = try? bus.string(path, unitInterface, "Description")
    s.activeState = try? bus.string(path, unitInterface, "ActiveState")
    s.subState = try? bus.string(path, unitInterface, "SubState")
    if let id = try? bus.bytes(path, unitInterface, "InvocationID"), id.count == 16 {
      s.invocationID = Hex.string(id)
    }
    guard unit.hasSuffix(".service") else { return s }
    s.result = try? bus.string(path, serviceInterface, "Result")
    s.mainPID = try? bus.trivial(path, serviceInterface, "MainPID", as: UInt32.self)
    // Automatic restarts (Restart=) since the unit was last started by hand.
    s.restarts = try? bus.trivial(path, serviceInterface, "NRestarts", as: UInt32.self)
    s.execMainCode = try? bus.trivial(
      path, serviceInterface, "ExecMainCode", as: Int32.self)
    s.execMainStatus = try? bus.trivial(
      path, serviceInterface, "ExecMainStatus", as: Int32.self)
    // Times and counters ("t"): systemd says "unknown" with UINT64_MAX and
    // "never" with 0.
    func known(_ name: String) -> UInt64? {
      let value = try? bus.trivial(path, serviceInterface, name, as: UInt64.self)
      guard let value, value != UInt64.max, value != 0 else { return nil }
      return value
    }
    s.restartDelay = known("RestartUSecNext") ?? known("RestartUSec")
    s.execMainStart = known("ExecMainStartTimestamp")
    s.execMainExit = known("ExecMainExitTimestamp")
    s.cpuUsageNanoseconds = known("CPUUsageNSec")
    s.memoryPeakBytes = known("MemoryPeak")
    s.memoryCurrentBytes = known("MemoryCurrent")
    s.ioReadBytes = known("IOReadBytes")
    s.ioWriteBytes = known("IOWriteBytes")
    s.execStopPost = (try? bus.execCommands(path, serviceInterface, "ExecStopPost")) ?? []
    return s
  }
}
