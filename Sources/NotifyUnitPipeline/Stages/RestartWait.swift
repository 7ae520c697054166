import NotifyUnitCore
import NotifyUnitSystem

#if canImport(Glibc)
  import Glibc
#endif

/// An OnFailure= handler started while systemd is about to restart the
/// failed unit (Restart=) waits for systemd's decision, when it is due
/// soon. systemd 257 starts the handler on every failed run (252 only once
/// it gave up). When systemd then refuses the restart (start limit), the
/// handler start that the refusal asks for merges into this still running
/// one and never runs on its own (with the default RestartSec=100ms, every
/// time): the refusal is this run's to report.
public struct RestartWait {
  /// The unit's status now, nil when systemd cannot be asked.
  public var read: () -> UnitStatus?
  public var sleep: (Double) -> Void = { NotifyUnitSystem.sleep(seconds: $0) }
  public var now: () -> Double = {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
  }

  public init(read: @escaping () -> UnitStatus?) { self.read = read }

  /// systemd's sub-states of a unit waiting for its automatic restart.
  static let restarting: Set<String> = ["auto-restart", "auto-restart-queued"]

  /// The status once systemd has decided: failed (it refused or gave up),
  /// with the same invocation. `status` itself when no restart is pending,
  /// when it is not due within `budget` seconds (the refusal will then
  /// start a handler of its own), or when the unit ran again (this failure
  /// was that earlier run's, reported by its ExecStopPost=).
  public func settled(_ status: UnitStatus, budget: Double) -> UnitStatus {
    guard let sub = status.subState, Self.restarting.contains(sub) else { return status }
    let delay = Double(status.restartDelay ?? 0) / 1_000_000
    guard delay < budget else { return status }
    let limit = now() + min(budget, delay + 5)
    while now() < limit {
      sleep(0.1)
      guard let next = read() else { return status }
      if next.invocationID != status.invocationID { return status }
      if next.activeState == "failed" { return next }
    }
    return status
  }
}
