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

  /// After a handler reported (or stayed quiet about) the run `handled`:
  /// a later run of the unit that failed, or awaits its restart after
  /// failing, while this handler still ran; nil when there is none.
  /// systemd merges the handler start such a run asks for into this still
  /// running one (a oneshot being started is not started twice): systemd
  /// 257 starts the handler on every failed run of a Restart= unit, and
  /// when one handler outlives the next run, that run's failure and the
  /// start limit's refusal after it would otherwise go unreported. A later
  /// run still ending (deactivating: its ExecStopPost= runs) is waited
  /// for, within `budget` seconds.
  public func laterFailure(after handled: String?, budget: Double) -> UnitStatus? {
    guard let handled, !handled.isEmpty else { return nil }
    let limit = now() + budget
    while true {
      guard let status = read(), let id = status.invocationID, !id.isEmpty, id != handled else {
        return nil
      }
      if status.activeState == "failed" { return status }
      if let sub = status.subState, Self.restarting.contains(sub) { return status }
      guard status.activeState == "deactivating", now() < limit else { return nil }
      sleep(0.1)
    }
  }
}
