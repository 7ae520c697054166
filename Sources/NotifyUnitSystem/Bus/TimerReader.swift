import NotifyUnitCore

/// Reads a service's timer from systemd over D-Bus, for `notify-unit
/// hc-sync`: the timer `UNIT-stem.timer`, else the one in the unit's
/// TriggeredBy=; its calendar, monotonic triggers and RandomizedDelaySec=;
/// and how long the service's last run took.
public enum TimerReader {
  static let timerInterface = "org.freedesktop.systemd1.Timer"
  static let unitInterface = "org.freedesktop.systemd1.Unit"
  static let serviceInterface = "org.freedesktop.systemd1.Service"

  public enum Found {
    case timer(TimerTriggers, lastRunSeconds: Double?)
    /// Neither UNIT-stem.timer nor a TriggeredBy= timer is loaded.
    case noTimer
  }

  public static func read(_ unit: String, bus: SystemBus) throws(BusError) -> Found {
    let stem = unit.hasSuffix(".service") ? String(unit.dropLast(8)) : unit
    var candidates = [stem + ".timer"]
    let unitPath = SystemBus.unitPath(unit)
    let loaded = try bus.string(unitPath, unitInterface, "LoadState") == "loaded"
    if loaded {
      candidates += try bus.strings(unitPath, unitInterface, "TriggeredBy")
        .filter { $0.hasSuffix(".timer") }
    }
    for name in candidates {
      let path = SystemBus.unitPath(name)
      guard try bus.string(path, unitInterface, "LoadState") == "loaded" else { continue }
      let delay = try bus.trivial(
        path, timerInterface, "RandomizedDelayUSec", as: UInt64.self)
      let triggers = TimerTriggers(
        timer: name, calendars: try bus.timersCalendar(path),
        monotonic: try bus.timersMonotonic(path), randomizedDelay: Double(delay) / 1e6)
      let isService = loaded && unit.hasSuffix(".service")
      return .timer(triggers, lastRunSeconds: isService ? try lastRun(unitPath, bus) : nil)
    }
    return .noTimer
  }

  /// ExecMainExitTimestamp - ExecMainStartTimestamp of the last run; nil
  /// when it has not run (or is running).
  static func lastRun(_ path: String, _ bus: SystemBus) throws(BusError) -> Double? {
    let start = try bus.trivial(
      path, serviceInterface, "ExecMainStartTimestamp", as: UInt64.self)
    let exit = try bus.trivial(
      path, serviceInterface, "ExecMainExitTimestamp", as: UInt64.self)
    guard start > 0, exit >= start else { return nil }
    return Double(exit - start) / 1e6
  }
}
