/// A run that started and never finished because the machine stopped under
/// it: `notify-unit start` recorded its start in one boot, and no report of
/// it came before the machine booted again. Found by the next notify-unit on
/// the host (a report, a flush, the boot-time flush) and reported once, as a
/// failure.
public struct Interruption: Sendable, Equatable {
  /// When the run started, microseconds since the epoch.
  public var startedAt: UInt64
  /// The boot the run started in (/proc/sys/kernel/random/boot_id).
  public var bootID: String

  public init(startedAt: UInt64, bootID: String) {
    self.startedAt = startedAt
    self.bootID = bootID
  }

  /// The report's reason.
  public static let reason = "the machine stopped during the run"
}
