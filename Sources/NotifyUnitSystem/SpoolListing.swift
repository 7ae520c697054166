import NotifyUnitCore

#if canImport(Glibc)
  import Glibc
#endif

/// What waits in a state directory's spool, read without changing it (no
/// directory is made, nothing is locked or sent): for `notify-unit status`
/// and `notify-unit flush --dry-run`. Ping URLs are shown without their
/// check.
public enum SpoolListing {
  /// Oldest first. `mailDestination` says where a spooled mail would go
  /// (the transport flushing would use).
  /// No spool directory: nothing waits. One that cannot be read: an error.
  public static func entries(stateDirectory: String, mailDestination: String)
    throws(FileError) -> [StatusReport.SpoolEntry]
  {
    var st = stat()
    if stat(stateDirectory + "/spool", &st) != 0 {
      if errno == ENOENT { return [] }
      throw FileError(path: stateDirectory + "/spool", errno: errno, action: "read the spool")
    }
    let spool = try Spool(stateDirectory: stateDirectory)
    return try spool.entries().map { entry in
      let kind =
        entry.kind == .request ? spool.request(entry)?.channel ?? "request" : entry.kind.rawValue
      let reason: String?
      if let text = spool.reason(entry), !text.firstLineTrimmed.isEmpty {
        reason = text.firstLineTrimmed
      } else {
        reason = nil
      }
      let destination: String
      switch entry.kind {
      case .mail: destination = mailDestination
      case .ping: destination = spool.ping(entry).map { redactedSpooledPingURL($0.url) } ?? "…"
      case .request:
        destination = spool.request(entry).map(SpoolListing.shown) ?? "…"
      }
      return StatusReport.SpoolEntry(
        kind: kind, unit: entry.unit, created: entry.created, reason: reason,
        destination: destination)
    }
  }

  /// A request's destination without its secret: a URL's host, a command's
  /// program and URL file.
  static func shown(_ request: SpooledRequest) -> String {
    if request.target.hasPrefix("/") {
      return ([request.target] + request.arguments.suffix(1)).joined(separator: " ")
    }
    return (try? WebURL(parsing: request.target, key: "URL").shown) ?? "…"
  }
}
