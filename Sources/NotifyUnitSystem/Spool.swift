import NotifyUnitCore

#if canImport(Glibc)
  import Glibc
#endif

/// Reports that could not be delivered, kept in `spool/` under the state
/// directory until a later run (or `notify-unit flush`) delivers them: a
/// mail sendmail did not take, a ping that failed all its tries. Entries are
/// files named `TIME-KIND-UNIT` (the time in microseconds, so names sort in
/// the order to send them; the check never appears in a name), mode 0600
/// since a ping entry holds its URL.
public final class Spool {
  public let directory: String

  public enum Kind: String, Sendable { case mail, ping }

  public struct Entry: Sendable, Equatable {
    public var path: String
    public var kind: Kind
    /// When the report was made, microseconds since the epoch.
    public var created: UInt64
    public var unit: String
  }

  public init(stateDirectory: String) throws(FileError) {
    directory = stateDirectory + "/spool"
    if mkdir(directory, 0o700) != 0, errno != EEXIST {
      throw FileError(path: directory, errno: errno, action: "create the spool")
    }
  }

  func name(_ kind: Kind, _ unit: String, _ created: UInt64) -> String {
    "\(directory)/\(String(created).leftPadded(to: 20))-\(kind.rawValue)-\(escapedUnitName(unit))"
  }

  /// Spools the message in `file` (hard-linked, no copy) with the reason;
  /// returns the entry's path.
  @discardableResult
  public func addMail(file: String, unit: String, created: UInt64, reason: String) throws(FileError)
    -> String
  {
    let path = name(.mail, unit, created)
    guard link(file, path) == 0 || errno == EEXIST else {
      throw FileError(path: path, errno: errno, action: "spool the mail as")
    }
    try setReason(path, reason)
    return path
  }

  /// Spools a ping: its URL (a secret: the file is 0600) and body; returns
  /// the entry's path.
  @discardableResult
  public func addPing(url: String, unit: String, created: UInt64, body: [UInt8], reason: String)
    throws(FileError) -> String
  {
    let path = name(.ping, unit, created)
    try write(path, Array("\(url)\n".utf8) + body)
    try setReason(path, reason)
    return path
  }

  public func setReason(_ path: String, _ reason: String) throws(FileError) {
    try write(path + ".reason", Array((reason + "\n").utf8))
  }

  /// Locks an entry while one process sends it, so that a flush in another
  /// (units finishing together) leaves it alone; nil when another holds it.
  /// The lock goes with the process: a run killed mid-send leaves the entry
  /// for the next flush. Close the descriptor to unlock.
  public func lock(_ path: String) -> Int32? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
      close(fd)
      return nil
    }
    return fd
  }

  public func remove(path: String) {
    unlink(path)
    unlink(path + ".reason")
  }

  /// The spooled ping's URL and body.
  public func ping(_ entry: Entry) -> (url: String, body: [UInt8])? {
    guard case .success(let text) = Host.readFile(entry.path, maxBytes: 16 << 20),
      let newline = text.firstIndex(of: "\n")
    else { return nil }
    return (String(text[..<newline]), Array(text[text.index(after: newline)...].utf8))
  }

  /// Entries, oldest first.
  public func entries() -> [Entry] {
    guard let dir = opendir(directory) else { return [] }
    defer { closedir(dir) }
    var found: [Entry] = []
    while let item = readdir(dir) {
      let name = withUnsafeBytes(of: item.pointee.d_name) { raw in
        String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
      }
      let parts = name.split(separator: "-", maxSplits: 2)
      guard parts.count == 3, !name.hasSuffix(".reason"), let created = UInt64(parts[0]),
        let kind = Kind(rawValue: String(parts[1]))
      else { continue }
      found.append(
        Entry(
          path: directory + "/" + name, kind: kind, created: created,
          unit: unescapedUnitName(String(parts[2]))))
    }
    return found.sorted { $0.path < $1.path }
  }

  public func remove(_ entry: Entry) { remove(path: entry.path) }

  private func write(_ path: String, _ bytes: [UInt8]) throws(FileError) {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
    guard fd >= 0 else { throw FileError(path: path, errno: errno, action: "write") }
    defer { close(fd) }
    let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
    guard n == bytes.count, fsync(fd) == 0 else {
      throw FileError(path: path, errno: errno, action: "write")
    }
  }
}

extension String {
  func leftPadded(to width: Int) -> String {
    String(repeating: "0", count: max(0, width - count)) + self
  }
}
