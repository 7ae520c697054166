import NotifyUnitCore
import NotifyUnitPipeline
import NotifyUnitSystem

/// `notify-unit flush --dry-run`: what a flush would send, oldest first,
/// read from the spool without locking, sending or removing anything.
enum FlushListing {
  static func text(_ settings: Settings) throws(FileError) -> String {
    // This directory's spool only: a flush sends no other user's.
    let report = try StatusCommand.status(
      of: UnitStateStore.defaultDirectory(
        configured: settings.stateDirectory, environment: Host.environment),
      mailDestination: mailTransport(settings, host: Host.name).name)
    guard !report.spool.isEmpty else {
      return "Nothing to send: the spool in \(report.stateDirectory) is empty.\n"
    }
    let renderer = LogRenderer()
    let now = Host.nowMicroseconds
    var lines = ["Would send \(report.spool.count) report(s) from \(report.stateDirectory)/spool:"]
    for e in report.spool {
      let due = String(renderer.timestamp(e.created).prefix(19))
      let waiting = formatDuration(Double(now - min(now, e.created)) / 1e6)
      let expired = Double(now - min(now, e.created)) / 1e6 > settings.spoolMaxAge
      lines.append(
        "  \(e.kind) of \(e.unit.sanitizedForDisplay(maxLength: 100)) to \(e.destination), due \(due), waiting \(waiting)"
          + (expired ? " (past SPOOL_MAX_AGE: would be dropped)" : "")
          + ": \((e.reason ?? "no reason recorded").sanitizedForDisplay(maxLength: 300))")
    }
    return lines.joined(separator: "\n") + "\n"
  }
}
