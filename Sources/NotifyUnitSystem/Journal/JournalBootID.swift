import NotifyUnitCore

/// The boot a process of a unit runs in, as the journal has it: the
/// `_BOOT_ID` of its invocation's entries. For a unit with ProcSubset=pid,
/// which hides /proc/sys/kernel/random/boot_id (and sd_id128_get_boot(3)
/// reads that file). systemd logs "Starting UNIT..." with the invocation's
/// ID before any Exec*= process runs; journald stores it a moment later, so
/// this waits up to `wait` seconds. Needs journal access (the
/// systemd-journal group).
public enum JournalBootID {
  /// `_BOOT_ID` is journald's own field: the boot the entry was written in.
  /// Only PID 1's INVOCATION_ID is taken, and the service's own lines
  /// (`_SYSTEMD_INVOCATION_ID`, journald's too).
  public static func of(invocation: String, source: JournalSource = .local, wait: Double = 2)
    -> String?
  {
    guard let invocation = normalizedInvocationID(invocation),
      let journal = try? Journal(source), source != .local || journal.hasFiles
    else { return nil }
    do {
      try journal.addMatch("_SYSTEMD_INVOCATION_ID=" + invocation)
      try journal.addDisjunction()
      try journal.addMatch("INVOCATION_ID=" + invocation)
      try journal.addMatch("_PID=1")
      journal.enableWaiting()
      try journal.seekHead()
      let deadline = Deadline(secondsFromNow: wait)
      while true {
        while try journal.next() {
          if let id = journal.field("_BOOT_ID").flatMap(bootID) { return id }
        }
        if deadline.hasPassed { return nil }
        _ = journal.wait(seconds: min(0.2, deadline.remaining))
      }
    } catch {
      return nil
    }
  }

  /// 32 hex digits, as journald writes them.
  static func bootID(_ value: [UInt8]) -> String? {
    let id = String(decoding: value, as: UTF8.self).lowercased()
    return id.count == 32 && id.allSatisfy(\.isHexDigit) ? id : nil
  }
}
