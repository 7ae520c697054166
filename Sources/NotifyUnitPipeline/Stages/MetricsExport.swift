import NotifyUnitCore
import NotifyUnitSystem

#if canImport(Glibc)
  import Glibc
#endif

/// The pipeline's last stage for fleets: the unit's metrics file in
/// node_exporter's textfile directory (PROMETHEUS_TEXTFILE_DIRECTORY),
/// written atomically as its README.textfile says: a temporary name it
/// ignores (not ending in .prom), then a rename.
public struct MetricsExport {
  public var directory: String
  public var log: (String) -> Void

  public init(directory: String, log: @escaping (String) -> Void = say) {
    self.directory = directory
    self.log = log
  }

  /// The unit's file: its name escaped, so nothing in it leaves the directory.
  public func path(_ unit: String) -> String {
    directory + "/notify-unit_" + escapedUnitName(unit) + ".prom"
  }

  func fileName(_ unit: String) -> String { "notify-unit_" + escapedUnitName(unit) + ".prom" }

  /// Updates the delivery samples of the unit's file after a flush
  /// (`MetricsDeliveryUpdate`); a unit without a file is left without one.
  public func updateDelivery(
    unit: String, spooled: [String: Int], lastReportDelivered: Set<String>
  ) {
    do {
      let trusted = try TrustedDirectory(directory, what: "PROMETHEUS_TEXTFILE_DIRECTORY")
      let text: [UInt8]
      do {
        text = try trusted.read(fileName(unit), maxBytes: 1 << 20)
      } catch  where error.isMissing {
        return
      }
      guard
        let updated = MetricsDeliveryUpdate.apply(
          to: String(decoding: text, as: UTF8.self), spooled: spooled,
          lastReportDelivered: lastReportDelivered)
      else { return }
      try trusted.replace(fileName(unit), with: Array(updated.utf8), mode: 0o644)
    } catch {
      log(Priority.error.tag("\(error): the unit's metrics still count what the flush delivered"))
    }
  }

  /// Writes `file`; says (and returns false) when it cannot.
  @discardableResult
  public func write(_ file: MetricsFile) -> Bool {
    let name = fileName(file.unit)
    do {
      // A shared textfile directory is checked like the state directory:
      // nothing planted there is followed or truncated.
      let trusted = try TrustedDirectory(directory, what: "PROMETHEUS_TEXTFILE_DIRECTORY")
      // The temporary name ends in .tmp, which node_exporter ignores. Read
      // by node_exporter's own user: 0644, whatever the unit's UMask.
      try trusted.replace(name, with: Array(file.text.utf8), mode: 0o644)
      return true
    } catch {
      // An error: a stale file misleads every alert built on it, and
      // metrics may be the only channel.
      log(
        Priority.error.tag(
          error.isRefusal || error.errno != EACCES
            ? "\(error): the unit's metrics are not updated"
            : "\(error): the unit's metrics are not updated (PROMETHEUS_TEXTFILE_DIRECTORY must be writable by this user)"
        ))
      return false
    }
  }
}
