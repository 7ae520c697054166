import NotifyUnitCore

#if canImport(Glibc)
  import Glibc
#endif

/// Reports that could not be delivered, kept in `spool/` under the state
/// directory until a later run (or `notify-unit flush`) delivers them: a
/// mail sendmail did not take, a ping that failed all its tries. Entries are
/// files named `TIME-KIND-UNIT` (the time in microseconds, so names sort in
/// the order to send them; the check never appears in a name), mode 0600
/// since a ping entry holds its URL, each with an optional `NAME.reason`.
///
/// Exactly once, between processes (runs of units that finish together, the
/// flush timer): an entry is made under a name the spool ignores (a leading
/// ".", `.NAME.PID.tmp`), locked, and only then linked into place, so no
/// other process can see it incomplete or unlocked; whoever sends an entry
/// holds its lock (flock(2), which goes with the process, so a run killed
/// mid-send leaves the entry for the next flush) and unlinks it before
/// letting go; and `claim` checks, once it holds the lock, that the name
/// still stands for the file it locked, so an entry sent and unlinked by
/// another process a moment before is not sent again.
///
/// What remains is at-least-once: a process killed after the relay or the
/// server took the report and before it unlinked the entry leaves it to be
/// sent again by the next flush (README, "The spool").
public final class Spool {
  public let directory: String

  /// A mail, a Healthchecks ping, or another channel's request
  /// (`SpooledRequest`: ntfy, a webhook, Apprise).
  public enum Kind: String, Sendable { case mail, ping, request }

  public struct Entry: Sendable, Equatable {
    public var path: String
    public var kind: Kind
    /// When the report was made, microseconds since the epoch.
    public var created: UInt64
    public var unit: String
  }

  /// An entry this process holds locked: nobody else sends it until `lock`
  /// is closed (`release()`), or the process ends.
  public struct Claim: Sendable, Equatable {
    public let path: String
    public let lock: Int32
    /// Set when the entry was kept but its reason could not be written.
    public var reasonProblem: String? = nil
    public func release() { close(lock) }
  }

  /// What `claim` found.
  public enum ClaimResult: Sendable, Equatable {
    case claimed(Claim)
    /// Another process holds it: it is being sent, or being made.
    case busy
    /// No longer there: sent and removed by another process meanwhile.
    case gone
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

  /// A name in the spool that `entries()` ignores, for a file being made.
  func temporaryName(for path: String) -> String {
    let base = path.split(separator: "/").last.map(String.init) ?? path
    return "\(directory)/.\(base).\(getpid()).tmp"
  }

  /// Spools the message in `file` (hard-linked, no copy) with the reason,
  /// and returns it locked: sending it now cannot race a flush.
  public func addMail(file: String, unit: String, created: UInt64, reason: String)
    throws(FileError) -> Claim
  {
    let temporary = temporaryName(for: name(.mail, unit, created))
    unlink(temporary)  // a leftover of a killed process with this pid: not an entry
    guard link(file, temporary) == 0 else {
      throw FileError(path: temporary, errno: errno, action: "spool the mail as")
    }
    let fd = open(temporary, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else {
      let e = errno
      unlink(temporary)
      throw FileError(path: temporary, errno: e, action: "open")
    }
    return try publish(temporary, fd: fd, kind: .mail, unit: unit, created: created, reason: reason)
  }

  /// Spools a ping: its URL (a secret: the file is 0600) and body; returns
  /// it locked.
  public func addPing(url: String, unit: String, created: UInt64, body: [UInt8], reason: String)
    throws(FileError) -> Claim
  {
    let temporary = temporaryName(for: name(.ping, unit, created))
    let fd = try createLocked(temporary, Array("\(url)\n".utf8) + body)
    return try publish(temporary, fd: fd, kind: .ping, unit: unit, created: created, reason: reason)
  }

  /// Spools another channel's request (its target and credentials inside:
  /// the file is 0600); returns it locked.
  public func addRequest(_ request: SpooledRequest, unit: String, created: UInt64, reason: String)
    throws(FileError) -> Claim
  {
    let temporary = temporaryName(for: name(.request, unit, created))
    let fd = try createLocked(temporary, request.encoded())
    return try publish(
      temporary, fd: fd, kind: .request, unit: unit, created: created, reason: reason)
  }

  /// The spooled request of `entry`; nil when it cannot be read as one.
  public func request(_ entry: Spool.Entry) -> SpooledRequest? {
    guard case .success(let text) = Host.readFile(entry.path, maxBytes: 16 << 20) else {
      return nil
    }
    return SpooledRequest.decode(Array(text.utf8))
  }

  /// Creates `path` (which must not exist) with `bytes`, locked and synced:
  /// its descriptor.
  private func createLocked(_ path: String, _ bytes: [UInt8]) throws(FileError) -> Int32 {
    unlink(path)  // a leftover of a killed process with this pid: not an entry
    let fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
    guard fd >= 0 else { throw FileError(path: path, errno: errno, action: "create") }
    // Nobody else knows the name yet: this cannot block for long.
    if flock(fd, LOCK_EX) == 0, writeFully(fd, bytes) == nil, fsync(fd) == 0 { return fd }
    let e = errno
    close(fd)
    unlink(path)
    throw FileError(path: path, errno: e, action: "write")
  }

  /// Links the locked `temporary` into place under the first free name
  /// from `created` on (never over another entry), removes the temporary
  /// name and writes the reason, still locked.
  private func publish(
    _ temporary: String, fd: Int32, kind: Kind, unit: String, created: UInt64, reason: String
  ) throws(FileError) -> Claim {
    guard flock(fd, LOCK_EX) == 0 else {
      let e = errno
      close(fd)
      unlink(temporary)
      throw FileError(path: temporary, errno: e, action: "lock")
    }
    var time = created
    var path = name(kind, unit, time)
    // Two reports of a unit in the same microsecond: the later one a
    // microsecond later, so both are kept in order.
    while link(temporary, path) != 0 {
      let e = errno
      guard e == EEXIST, time < created + 1000 else {
        close(fd)
        unlink(temporary)
        throw FileError(path: path, errno: e, action: "spool")
      }
      time += 1
      path = name(kind, unit, time)
    }
    // The entry is in place under its own name: the temporary one is only
    // a second link to it, whose removal cannot lose the report.
    unlink(temporary)
    syncDirectory()
    var claim = Claim(path: path, lock: fd)
    do {
      try setReason(path, reason)
    } catch {
      // The entry is complete without its reason, which only explains it
      // (status, flush --dry-run): the report is kept, the caller says
      // what is missing.
      claim.reasonProblem = "\(error): the spooled report has no reason"
    }
    return claim
  }

  /// Replaces the entry's reason, atomically (a reader sees the old or the
  /// new one, never half).
  public func setReason(_ path: String, _ reason: String) throws(FileError) {
    let target = path + ".reason"
    let temporary = temporaryName(for: target)
    let fd = try createLocked(temporary, Array((reason + "\n").utf8))
    close(fd)
    guard rename(temporary, target) == 0 else {
      let e = errno
      unlink(temporary)
      throw FileError(path: target, errno: e, action: "write")
    }
  }

  /// Locks an entry for sending it. `.claimed` only when the lock is held
  /// and the name still stands for the locked file (same device and inode,
  /// not unlinked): another process may have sent and removed it between
  /// this one listing the spool and taking the lock.
  public func claim(_ path: String) -> ClaimResult {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return .gone }
    guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
      close(fd)
      return .busy
    }
    var held = stat()
    var named = stat()
    guard fstat(fd, &held) == 0, held.st_nlink > 0, stat(path, &named) == 0,
      named.st_dev == held.st_dev, named.st_ino == held.st_ino
    else {
      close(fd)
      return .gone
    }
    return .claimed(Claim(path: path, lock: fd))
  }

  /// Removes an entry whose lock this process holds (or that nobody can
  /// send any more): the reason first, so that a kill in between leaves
  /// the entry, never a reason without one that looks like a report.
  public func remove(path: String) {
    // ENOENT: already gone, which is what was wanted; nothing else can
    // happen to a file in a directory this user owns.
    unlink(path + ".reason")
    unlink(path)
    syncDirectory()
  }

  public func remove(_ entry: Entry) { remove(path: entry.path) }

  /// Rewrites a ping entry this process has claimed with a new URL and
  /// body (for a state ping made state-neutral), atomically: returns the
  /// new file's lock, held as well; release both.
  public func rewritePing(_ claim: Claim, url: String, body: [UInt8]) throws(FileError) -> Claim {
    let temporary = temporaryName(for: claim.path)
    let fd = try createLocked(temporary, Array("\(url)\n".utf8) + body)
    guard rename(temporary, claim.path) == 0 else {
      let e = errno
      close(fd)
      unlink(temporary)
      throw FileError(path: claim.path, errno: e, action: "rewrite")
    }
    return Claim(path: claim.path, lock: fd)
  }

  /// The spooled ping's URL and body.
  public func ping(_ entry: Entry) -> (url: String, body: [UInt8])? {
    guard case .success(let text) = Host.readFile(entry.path, maxBytes: 16 << 20),
      let newline = text.firstIndex(of: "\n")
    else { return nil }
    return (String(text[..<newline]), Array(text[text.index(after: newline)...].utf8))
  }

  /// The check a ping URL reports to: the URL without its query and
  /// without the endpoint ("/fail", "/log", "/start", an exit status).
  /// Pings keep their order per check, not per unit.
  public static func checkURL(ofPing url: String) -> String {
    var base = Substring(url.prefix { $0 != "?" })
    if let slash = base.lastIndex(of: "/") {
      let last = base[base.index(after: slash)...]
      if ["fail", "log", "start"].contains(last)
        || (!last.isEmpty && last.allSatisfy(\.isASCIIDigit))
      {
        base = base[..<slash]
      }
    }
    return String(base)
  }

  /// The pings waiting for the check whose success URL is `prefix`, oldest
  /// first (any unit's: two units may report to one check).
  public func waitingPings(forCheckURLPrefix prefix: String) throws(FileError) -> [Entry] {
    try entries().filter { entry in
      entry.kind == .ping && spoolCheck(entry) == prefix
    }
  }

  func spoolCheck(_ entry: Entry) -> String? {
    ping(entry).map { Self.checkURL(ofPing: $0.url) }
  }

  /// Entries, oldest first. Names starting with "." (being made) and
  /// reasons are not entries.
  /// A spool that cannot be read is an error, never an empty spool: what
  /// waits there would otherwise be silently forgotten.
  public func entries() throws(FileError) -> [Entry] {
    guard let dir = opendir(directory) else {
      throw FileError(path: directory, errno: errno, action: "read the spool")
    }
    defer { closedir(dir) }
    var found: [Entry] = []
    while let item = readdir(dir) {
      let name = withUnsafeBytes(of: item.pointee.d_name) { raw in
        String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
      }
      guard !name.hasPrefix("."), !name.hasSuffix(".reason") else { continue }
      let parts = name.split(separator: "-", maxSplits: 2)
      guard parts.count == 3, let created = UInt64(parts[0]),
        let kind = Kind(rawValue: String(parts[1]))
      else { continue }
      found.append(
        Entry(
          path: directory + "/" + name, kind: kind, created: created,
          unit: unescapedUnitName(String(parts[2]))))
    }
    return found.sorted { $0.path < $1.path }
  }

  /// Removes what killed processes left behind, when older than
  /// `olderThan` seconds and locked by nobody: temporary files (never an
  /// entry: one is linked into place before its temporary name goes) and
  /// reasons whose entry is gone. Returns how many.
  @discardableResult
  public func sweep(olderThan age: Double = 3600) -> Int {
    guard let dir = opendir(directory) else { return 0 }
    var names: [String] = []
    while let item = readdir(dir) {
      names.append(
        withUnsafeBytes(of: item.pointee.d_name) { raw in
          String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        })
    }
    closedir(dir)
    let now = Double(Host.nowMicroseconds) / 1e6
    var removed = 0
    for name in names where name != "." && name != ".." {
      let path = directory + "/" + name
      let leftover =
        (name.hasPrefix(".") && name.hasSuffix(".tmp"))
        || (name.hasSuffix(".reason") && access(String(path.dropLast(7)), F_OK) != 0)
      guard leftover else { continue }
      var st = stat()
      guard stat(path, &st) == 0, now - Double(st.st_mtim.tv_sec) > age,
        case .claimed(let claim) = claim(path)
      else { continue }
      unlink(path)
      claim.release()
      removed += 1
    }
    return removed
  }

  /// Makes links and unlinks in the spool survive a power cut. A failure
  /// here loses nothing now (the entries are there), so it is not an error.
  private func syncDirectory() {
    let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard fd >= 0 else { return }
    fsync(fd)
    close(fd)
  }
}

extension String {
  func leftPadded(to width: Int) -> String {
    String(repeating: "0", count: max(0, width - count)) + self
  }
}

extension Character {
  fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
