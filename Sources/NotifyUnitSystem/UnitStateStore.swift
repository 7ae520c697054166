import NotifyUnitCore

#if canImport(Glibc)
  import Glibc
#endif

/// The last outcome of each unit, kept between runs for MAIL_ON=change: one
/// small file a unit in the state directory. Writes are atomic (a temporary
/// file, fsync, rename, fsync of the directory) under a lock, so units that
/// finish together cannot tear a file; a file that cannot be read as a state
/// is set aside (renamed *.corrupt-TIME) and reported, never fatal.
public final class UnitStateStore {
  public let directory: String
  /// The directory, opened once and checked (`TrustedDirectory`).
  public let trusted: TrustedDirectory

  public typealias Record = UnitStateRecord

  /// The state directory: `configured` (STATE_DIRECTORY), else systemd's
  /// $STATE_DIRECTORY (StateDirectory=), else /var/lib/notify-unit for root;
  /// for another user /var/lib/notify-unit/USER when it exists (what the
  /// shipped units' StateDirectory=notify-unit/USER makes, so a flush or a
  /// resend by hand finds their spool), else $XDG_STATE_HOME/notify-unit or
  /// ~/.local/state/notify-unit.
  public static func defaultDirectory(configured: String?, environment: [String: String]) -> String
  {
    if let configured { return configured }
    if let systemd = environment["STATE_DIRECTORY"]?.split(separator: ":").first {
      return String(systemd)
    }
    if getuid() == 0 { return sharedBase }
    let pw = getpwuid(getuid())
    if let name = pw?.pointee.pw_name {
      let shared = sharedBase + "/" + String(cString: name)
      var st = stat()
      if stat(shared, &st) == 0, st.st_mode & S_IFMT == S_IFDIR, st.st_uid == getuid() {
        return shared
      }
    }
    if let xdg = environment["XDG_STATE_HOME"], xdg.hasPrefix("/") { return xdg + "/notify-unit" }
    var home = environment["HOME"] ?? ""
    if home.isEmpty, let dir = pw?.pointee.pw_dir {
      home = String(cString: dir)
    }
    return home + "/.local/state/notify-unit"
  }

  /// Root's state directory and the parent of every other user's
  /// (StateDirectory=notify-unit/USER).
  public static let sharedBase = "/var/lib/notify-unit"

  /// Creates the directory (0750, and its parents) when missing. `sharedBase`
  /// is made 0755 whoever comes first: made 0750 by a root run, it locked
  /// every other user out of the state directory below it. A directory
  /// another user could plant files in is refused (`TrustedDirectory`).
  public init(directory: String, sharedBase: String = UnitStateStore.sharedBase) throws(FileError) {
    self.directory = directory
    var path = ""
    for part in directory.split(separator: "/") {
      path += "/" + part
      if mkdir(path, 0o750) == 0 {
        // chmod, not mkdir's mode: a unit's UMask=0077 would take o+x away.
        if path == sharedBase { chmod(path, 0o755) }
      } else if errno != EEXIST {
        throw FileError(path: path, errno: errno, action: "create the state directory")
      }
    }
    trusted = try TrustedDirectory(directory, what: "the state directory")
  }

  func fileName(_ unit: String) -> String { escapedUnitName(unit) + ".state" }

  /// The unit's record; nil when there is none. A file that is not a state
  /// is renamed aside and the problem returned; one notify-unit did not
  /// write (another user's, a link) is left alone and `refused`.
  public func read(_ unit: String) -> (record: Record?, problem: String?, refused: Bool) {
    let name = fileName(unit)
    let text: String
    do {
      text = String(decoding: try trusted.read(name, maxBytes: 4096), as: UTF8.self)
    } catch {
      return (nil, error.isMissing ? nil : "\(error)", error.isRefusal)
    }
    if let record = UnitStateRecord.parse(text) { return (record, nil, false) }
    let aside = name + ".corrupt-\(Host.nowMicroseconds)"
    do {
      try trusted.rename(name, to: aside)
    } catch {
      return (nil, "\(trusted.path(name)) is not a notify-unit state file: \(error)", false)
    }
    return (
      nil, "\(trusted.path(name)) is not a notify-unit state file: moved to \(trusted.path(aside))",
      false
    )
  }

  /// Where the unit's last report (the whole message) is kept, for
  /// `notify-unit resend` and the spool.
  public func lastReportPath(_ unit: String) -> String {
    directory + "/" + escapedUnitName(unit) + ".last.eml"
  }

  /// Writes the unit's last report with `write`, then puts it in place
  /// atomically; returns its path. `whenWritten` is handed the complete
  /// file under its temporary name, before the rename: the one name that is
  /// this run's own (another run of the unit may put its report in place
  /// at any moment), for the spool to link.
  public func saveReport(
    _ unit: String, _ write: (ByteSink) throws -> Void,
    whenWritten: (WrittenReport) -> Void = { _ in }
  ) throws -> String {
    let name = escapedUnitName(unit) + ".last.eml"
    // 0600: the report holds the unit's log.
    let (fd, temporary) = try trusted.createTemporary(prefix: "." + name, mode: 0o600)
    defer { close(fd) }
    do {
      let sink = FileDescriptorSink(fd: fd, deadline: nil, what: trusted.path(temporary))
      try write(sink)
      try sink.flush()
      guard fsync(fd) == 0 else {
        throw FileError(path: trusted.path(temporary), errno: errno, action: "write")
      }
      whenWritten(WrittenReport(directory: trusted, name: temporary, fd: fd))
      try trusted.rename(temporary, to: name)
    } catch {
      trusted.remove(temporary)
      throw error
    }
    trusted.sync()
    return trusted.path(name)
  }

  /// A report complete under its temporary name, still open: for the spool
  /// to link and to check it linked this very file.
  public struct WrittenReport {
    public let directory: TrustedDirectory
    public let name: String
    public let fd: Int32
  }

  /// Replaces the unit's record, atomically, under the directory's lock
  /// (waiting at most 2 s for it).
  public func write(_ unit: String, _ record: Record) throws(FileError) {
    let bytes = Array(record.formatted(unit: unit).utf8)
    try trusted.withLock { () throws(FileError) in
      try trusted.replace(fileName(unit), with: bytes, mode: 0o640)
    }
  }

  /// Changes the unit's record in place under the directory's lock, so no
  /// report's newer record is overwritten by an older one: `change` says
  /// whether it changed anything. False when there is no record.
  @discardableResult
  public func update(_ unit: String, _ change: (inout Record) -> Bool) throws(FileError) -> Bool {
    try trusted.withLock { () throws(FileError) -> Bool in
      guard var record = read(unit).record, change(&record) else { return false }
      try trusted.replace(
        fileName(unit), with: Array(record.formatted(unit: unit).utf8), mode: 0o640)
      return true
    }
  }
}
