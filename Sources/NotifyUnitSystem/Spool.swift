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
/// ".", `.NAME.RANDOM.tmp`, made with O_EXCL: never a planted file), locked, and only then linked into place, so no
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
  /// The spool directory, opened once and checked (`TrustedDirectory`).
  let trusted: TrustedDirectory

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
    /// Not a file notify-unit wrote (another user's, a link, a FIFO): left
    /// in place, never sent; the line says why.
    case refused(String)
  }

  public init(stateDirectory: String) throws(FileError) {
    directory = stateDirectory + "/spool"
    if mkdir(directory, 0o700) != 0, errno != EEXIST {
      throw FileError(path: directory, errno: errno, action: "create the spool")
    }
    trusted = try TrustedDirectory(directory, what: "the spool")
  }

  func entryName(_ kind: Kind, _ unit: String, _ created: UInt64) -> String {
    "\(String(created).leftPadded(to: 20))-\(kind.rawValue)-\(escapedUnitName(unit))"
  }

  func name(_ kind: Kind, _ unit: String, _ created: UInt64) -> String {
    directory + "/" + entryName(kind, unit, created)
  }

  /// The name in the spool of the entry (or reason) at `path`.
  func leaf(_ path: String) -> String {
    path.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? path
  }

  /// The prefix of a temporary for `name`: a leading "." that `entries()`
  /// ignores, a random part and ".tmp" follow (`createTemporary`).
  func temporaryPrefix(for name: String) -> String { "." + name }

  /// Spools the report `written` (hard-linked, no copy: the same 0600
  /// file) with the reason, and returns it locked: sending it now cannot
  /// race a flush.
  public func addMail(
    _ written: UnitStateStore.WrittenReport, unit: String, created: UInt64, reason: String
  ) throws(FileError) -> Claim {
    let prefix = temporaryPrefix(for: entryName(.mail, unit, created))
    var temporary = ""
    var linked = false
    for _ in 0..<100 where !linked {
      temporary = prefix + "." + TrustedDirectory.randomSuffix() + ".tmp"
      linked = trusted.link(written.name, of: written.directory, as: temporary)
      guard linked || errno == EEXIST else {
        throw FileError(path: trusted.path(temporary), errno: errno, action: "spool the mail as")
      }
    }
    guard linked else {
      throw FileError(path: trusted.path(prefix), errno: EEXIST, action: "spool the mail as")
    }
    let fd: Int32
    do {
      fd = try trusted.openOwnFile(temporary)
    } catch {
      trusted.remove(temporary)
      throw error
    }
    // The link must be the file this run wrote, nothing swapped in between.
    var mine = stat()
    var spooled = stat()
    guard fstat(written.fd, &mine) == 0, fstat(fd, &spooled) == 0, mine.st_dev == spooled.st_dev,
      mine.st_ino == spooled.st_ino
    else {
      close(fd)
      trusted.remove(temporary)
      throw FileError(
        path: trusted.path(temporary), action: "spool the mail as",
        refusal: "it is not the report this run wrote")
    }
    return try publish(temporary, fd: fd, kind: .mail, unit: unit, created: created, reason: reason)
  }

  /// Spools a ping: its URL (a secret: the file is 0600) and body; returns
  /// it locked.
  public func addPing(url: String, unit: String, created: UInt64, body: [UInt8], reason: String)
    throws(FileError) -> Claim
  {
    let (fd, temporary) = try createLocked(
      entryName(.ping, unit, created), SpooledPing(url: url, body: body).encoded)
    return try publish(temporary, fd: fd, kind: .ping, unit: unit, created: created, reason: reason)
  }

  /// Spools another channel's request (its target and credentials inside:
  /// the file is 0600); returns it locked.
  public func addRequest(_ request: SpooledRequest, unit: String, created: UInt64, reason: String)
    throws(FileError) -> Claim
  {
    let (fd, temporary) = try createLocked(entryName(.request, unit, created), request.encoded())
    return try publish(
      temporary, fd: fd, kind: .request, unit: unit, created: created, reason: reason)
  }

  /// The spooled request of `entry`; nil when it cannot be read as one (or
  /// is not a file notify-unit wrote).
  public func request(_ entry: Spool.Entry) -> SpooledRequest? {
    guard let bytes = try? trusted.read(leaf(entry.path), maxBytes: 16 << 20) else { return nil }
    return SpooledRequest.decode(bytes)
  }

  /// Creates a temporary for `name` (0600, a fresh random name) with
  /// `bytes`, locked and synced: its descriptor and name.
  private func createLocked(_ name: String, _ bytes: [UInt8]) throws(FileError) -> (
    fd: Int32, name: String
  ) {
    let (fd, temporary) = try trusted.createTemporary(
      prefix: temporaryPrefix(for: name), mode: 0o600)
    // Nobody else knows the name yet: this cannot block for long.
    if flock(fd, LOCK_EX) == 0, writeFully(fd, bytes) == nil, fsync(fd) == 0 {
      return (fd, temporary)
    }
    let e = errno
    close(fd)
    trusted.remove(temporary)
    throw FileError(path: trusted.path(temporary), errno: e, action: "write")
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
      trusted.remove(temporary)
      throw FileError(path: trusted.path(temporary), errno: e, action: "lock")
    }
    var time = created
    var name = entryName(kind, unit, time)
    // Two reports of a unit in the same microsecond: the later one a
    // microsecond later, so both are kept in order.
    while !trusted.link(temporary, of: trusted, as: name) {
      let e = errno
      guard e == EEXIST, time < created + 1000 else {
        close(fd)
        trusted.remove(temporary)
        throw FileError(path: trusted.path(name), errno: e, action: "spool")
      }
      time += 1
      name = entryName(kind, unit, time)
    }
    // The entry is in place under its own name: the temporary one is only
    // a second link to it, whose removal cannot lose the report.
    trusted.remove(temporary)
    trusted.sync()
    let path = trusted.path(name)
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
    let target = leaf(path) + ".reason"
    let (fd, temporary) = try createLocked(target, Array((reason + "\n").utf8))
    close(fd)
    do {
      try trusted.rename(temporary, to: target)
    } catch {
      trusted.remove(temporary)
      throw error
    }
  }

  /// The reason kept with `entry`, when there is one notify-unit wrote.
  public func reason(_ entry: Entry) -> String? {
    guard let bytes = try? trusted.read(leaf(entry.path) + ".reason", maxBytes: 4096) else {
      return nil
    }
    return String(decoding: bytes, as: UTF8.self)
  }

  /// Locks an entry for sending it. `.claimed` only when the lock is held
  /// and the name still stands for the locked file (same device and inode,
  /// not unlinked): another process may have sent and removed it between
  /// this one listing the spool and taking the lock. A file notify-unit
  /// did not write is `.refused`, and left where it is.
  public func claim(_ path: String) -> ClaimResult {
    let name = leaf(path)
    let fd: Int32
    do {
      fd = try trusted.openOwnFile(name)
    } catch {
      return error.isRefusal ? .refused("\(error)") : .gone
    }
    guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
      close(fd)
      return .busy
    }
    var held = stat()
    guard fstat(fd, &held) == 0, held.st_nlink > 0, let named = trusted.status(name),
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
    trusted.remove(leaf(path) + ".reason")
    trusted.remove(leaf(path))
    trusted.sync()
  }

  public func remove(_ entry: Entry) { remove(path: entry.path) }

  /// Rewrites a ping entry this process has claimed with a new URL and
  /// body (for a state ping made state-neutral), atomically: returns the
  /// new file's lock, held as well; release both.
  public func rewritePing(_ claim: Claim, url: String, body: [UInt8]) throws(FileError) -> Claim {
    let name = leaf(claim.path)
    let (fd, temporary) = try createLocked(name, SpooledPing(url: url, body: body).encoded)
    do {
      try trusted.rename(temporary, to: name)
    } catch {
      close(fd)
      trusted.remove(temporary)
      throw FileError(path: claim.path, errno: error.errno, action: "rewrite")
    }
    return Claim(path: claim.path, lock: fd)
  }

  /// The spooled ping's URL and body.
  public func ping(_ entry: Entry) -> (url: String, body: [UInt8])? {
    guard let bytes = try? trusted.read(leaf(entry.path), maxBytes: 16 << 20),
      let ping = SpooledPing.decode(bytes)
    else { return nil }
    return (ping.url, ping.body)
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
  public func entries() throws(FileError) -> [Entry] { try listing().entries }

  /// The entries (`entries()`), and why each file that looks like one but
  /// that notify-unit did not write (another user's, a link, a FIFO) is
  /// not: those are left in place, never read, sent or removed.
  public func listing() throws(FileError) -> (entries: [Entry], refused: [FileError]) {
    var found: [Entry] = []
    var refused: [FileError] = []
    for name in try trusted.names() {
      guard !name.hasPrefix("."), !name.hasSuffix(".reason") else { continue }
      let parts = name.split(separator: "-", maxSplits: 2)
      guard parts.count == 3, let created = UInt64(parts[0]),
        let kind = Kind(rawValue: String(parts[1]))
      else { continue }
      do {
        close(try trusted.openOwnFile(name))
      } catch  where error.isRefusal {
        refused.append(error)
        continue
      } catch {
        continue  // gone since the listing: sent by another process
      }
      found.append(
        Entry(
          path: trusted.path(name), kind: kind, created: created,
          unit: unescapedUnitName(String(parts[2]))))
    }
    return (found.sorted { $0.path < $1.path }, refused.sorted { $0.path < $1.path })
  }

  /// Removes what killed processes left behind, when older than
  /// `olderThan` seconds and locked by nobody: temporary files (never an
  /// entry: one is linked into place before its temporary name goes) and
  /// reasons whose entry is gone. Returns how many. Files notify-unit did
  /// not write are left alone.
  @discardableResult
  public func sweep(olderThan age: Double = 3600) -> Int {
    guard let names = try? trusted.names() else { return 0 }
    let now = Double(Host.nowMicroseconds) / 1e6
    var removed = 0
    for name in names {
      let leftover =
        (name.hasPrefix(".") && name.hasSuffix(".tmp"))
        || (name.hasSuffix(".reason") && !trusted.exists(String(name.dropLast(7))))
      guard leftover, let st = trusted.status(name), now - Double(st.st_mtim.tv_sec) > age,
        case .claimed(let claim) = claim(trusted.path(name))
      else { continue }
      trusted.remove(name)
      claim.release()
      removed += 1
    }
    return removed
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
