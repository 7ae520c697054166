import NotifyUnitCore
import NotifyUnitSystem

/// What a flush did, written where a report writes it: a unit's state
/// (`status` no longer says "kept in the spool" for a mail or ping the
/// flush delivered) and its metrics file (the spool's count, and the
/// delivery failure cleared), as the report would have written them.
public struct FlushBookkeeping {
  public var store: UnitStateStore?
  public var spool: Spool
  public var textfileDirectory: String?
  public var log: (String) -> Void

  public init(
    store: UnitStateStore?, spool: Spool, textfileDirectory: String?,
    log: @escaping (String) -> Void
  ) {
    self.store = store
    self.spool = spool
    self.textfileDirectory = textfileDirectory
    self.log = log
  }

  public func record(_ settled: [SpoolFlush.Settled]) {
    guard !settled.isEmpty else { return }
    let renderer = LogRenderer(zone: .local)
    let byUnit = Dictionary(grouping: settled, by: \.unit)
    let entries: [Spool.Entry]?
    do {
      entries = try spool.entries()
    } catch {
      log(Priority.warning.tag("\(error): the metrics keep their spool counts"))
      entries = nil
    }
    for (unit, done) in byUnit.sorted(by: { $0.key < $1.key }) {
      var lastReportDelivered: Set<String> = []
      do {
        try store?.update(unit) { record in
          var changed = false
          // Only the run the record is about: an older report's late
          // delivery says nothing of the last one.
          for item in done where item.created == record.time {
            let summary =
              item.dropped.map { "dropped by a flush: \($0)" }
              ?? "sent late, by a flush at \(renderer.timestamp(item.at))"
            if item.channel == "mail" {
              record.mail = summary.sanitizedForDisplay(maxLength: 200)
              changed = true
            } else if item.channel == "ping" {
              record.ping = summary.sanitizedForDisplay(maxLength: 200)
              changed = true
            }
            if item.dropped == nil { lastReportDelivered.insert(item.channel) }
          }
          return changed
        }
      } catch {
        log(Priority.warning.tag("\(error): status still shows the report as waiting"))
      }
      if let textfileDirectory, let entries {
        MetricsExport(directory: textfileDirectory, log: log).updateDelivery(
          unit: unit, spooled: Self.spooledByChannel(entries, of: unit, in: spool),
          lastReportDelivered: lastReportDelivered)
      }
    }
  }

  /// The unit's entries in the spool, counted by channel name.
  public static func spooledByChannel(_ entries: [Spool.Entry], of unit: String, in spool: Spool)
    -> [String: Int]
  {
    var spooled: [String: Int] = [:]
    for entry in entries where entry.unit == unit {
      let channel =
        switch entry.kind {
        case .mail: "mail"
        case .ping: "ping"
        case .request: spool.request(entry)?.channel ?? "request"
        }
      spooled[channel, default: 0] += 1
    }
    return spooled
  }
}
