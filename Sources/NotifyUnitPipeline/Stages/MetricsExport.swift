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

  /// Writes `file`; says (and returns false) when it cannot.
  @discardableResult
  public func write(_ file: MetricsFile) -> Bool {
    let target = path(file.unit)
    let temporary = target + ".tmp-\(getpid())"
    // Read by node_exporter's own user: 0644, whatever the unit's UMask.
    let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard fd >= 0 else {
      log(
        "\(FileError(path: temporary, errno: errno, action: "create")): the unit's metrics are not updated (PROMETHEUS_TEXTFILE_DIRECTORY must be writable by this user)"
      )
      return false
    }
    defer { close(fd) }
    do {
      fchmod(fd, 0o644)
      let sink = FileDescriptorSink(fd: fd, deadline: nil, what: temporary)
      try sink.write(Array(file.text.utf8))
      try sink.flush()
      guard rename(temporary, target) == 0 else {
        throw FileError(path: target, errno: errno, action: "rename to")
      }
      return true
    } catch {
      unlink(temporary)
      log("\(error): the unit's metrics are not updated")
      return false
    }
  }
}
