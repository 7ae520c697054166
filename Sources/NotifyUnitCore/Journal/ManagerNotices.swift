/// What systemd and journald say about a run in its manager stream, read
/// from an entry's fields: that journald's rate limit dropped lines (and
/// how many: N_DROPPED, which any local user can log), and that the run is
/// over.
public struct ManagerNotices: Sendable, Equatable {
  /// SD_MESSAGE_JOURNAL_DROPPED: journald's "Suppressed N messages from
  /// UNIT", with N_DROPPED=N. On systemd 252 it is stored when the rate
  /// limit's interval has ended and the unit logs again, with the
  /// OBJECT_SYSTEMD_INVOCATION_ID of the process that logged: so it lands
  /// in the run whose line came next (the next run, or this one when it
  /// lasts longer than the interval), dated just before that line.
  public var isDropNotice = false
  /// N_DROPPED: digits, saturated; nil when absent or not a count.
  public var droppedCount: Int? = nil
  /// One of systemd's messages once a run is over.
  public var saysRunEnded = false

  public init() {}

  /// The lines a drop notice says were dropped, when it is one.
  public var dropped: Int? { isDropNotice ? droppedCount : nil }

  public mutating func see(_ raw: UnsafeRawBufferPointer) {
    if raw.elementsEqual(Self.droppedMessageID) {
      isDropNotice = true
    } else if raw.starts(with: Self.droppedCountField) {
      droppedCount = decimalCount(raw[Self.droppedCountField.count...])
    } else if Self.endMessageIDs.contains(where: raw.elementsEqual) {
      saysRunEnded = true
    }
  }

  public static let droppedMessageID = Array("MESSAGE_ID=a596d6fe7bfa4994828e72309e95d61e".utf8)
  public static let droppedCountField = Array("N_DROPPED=".utf8)
  /// systemd's messages once a run is over, ExecStopPost= included
  /// (sd-messages.h): UNIT_SUCCESS ("Deactivated successfully"),
  /// UNIT_FAILURE_RESULT ("Failed with result"), UNIT_RESOURCES
  /// ("Consumed … CPU time"), UNIT_STOPPED and UNIT_FAILED (the job's end).
  public static let endMessageIDs = [
    "7ad2d189f7e94e70a38c781354912448", "d9b373ed55a64feb8242e02dbe79a49c",
    "ae8f7b866b0347b9af31fe1c80b127c0", "9d1aaa27d60140bd96365438aad20286",
    "be02cf6855d2428ba40df7e9d022f03d",
  ].map { Array("MESSAGE_ID=\($0)".utf8) }
}

/// journald's drop notices of a run, split at the job's first line: the
/// lines dropped before it are the previous run's (a notice lands in the
/// run whose line came next), the rest this run's. Saturated sums.
public struct DroppedLines: Sendable, Equatable {
  public var beforeRun = 0
  public var inRun = 0

  public init(notices: [(realtime: UInt64, count: Int)], firstJobLine: UInt64?) {
    let firstOwn = firstJobLine ?? UInt64.max
    for notice in notices {
      if notice.realtime <= firstOwn {
        beforeRun = beforeRun.saturatingAdding(max(0, notice.count))
      } else {
        inRun = inRun.saturatingAdding(max(0, notice.count))
      }
    }
  }
}
