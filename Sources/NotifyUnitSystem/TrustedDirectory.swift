import NotifyUnitCore

#if canImport(Glibc)
  import Glibc
#endif

/// A directory notify-unit keeps files in (the state directory, its spool,
/// Prometheus' textfile directory), opened once without following a link
/// and worked in by name relative to that descriptor (`openat`), so that
/// nothing another user plants there is followed, truncated or trusted:
///
/// - it is used only when it is a real directory owned by this user or
///   root, and not writable by group or others unless sticky (`isShared`:
///   then no file in it is trusted without its own check, which every read
///   here makes anyway);
/// - every file is written under a fresh random name (`O_CREAT|O_EXCL|
///   O_NOFOLLOW`, as mkstemp(3) makes them), fsynced, renamed into place,
///   and the directory fsynced: a reader sees the old file or the new one;
/// - every file read is opened `O_NOFOLLOW|O_NONBLOCK` and `fstat`ed: a
///   regular file owned by this user, else refused (`FileError.refusal`).
public final class TrustedDirectory: Sendable {
  public let path: String
  let fd: Int32
  /// Sticky and writable by others (a shared textfile directory).
  public let isShared: Bool

  /// Opens `path`, `what` naming it in the one line that says why it
  /// cannot be used ("the state directory").
  public init(_ path: String, what: String) throws(FileError) {
    self.path = path
    let fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
    guard fd >= 0 else {
      let e = errno
      var st = stat()
      if e == ELOOP || e == ENOTDIR, lstat(path, &st) == 0 {
        throw FileError(
          path: path, action: "use \(what)",
          refusal: st.st_mode & S_IFMT == S_IFLNK
            ? "it is a symbolic link, which notify-unit never follows (name the real directory)"
            : "it is not a directory")
      }
      throw FileError(path: path, errno: e, action: "use \(what)")
    }
    var st = stat()
    guard fstat(fd, &st) == 0 else {
      let e = errno
      close(fd)
      throw FileError(path: path, errno: e, action: "use \(what)")
    }
    let me = geteuid()
    let writableByOthers = st.st_mode & (S_IWGRP | S_IWOTH) != 0
    let sticky = st.st_mode & S_ISVTX != 0
    var refusal: String? = nil
    if st.st_uid != me && st.st_uid != 0 {
      refusal =
        "it is owned by uid \(st.st_uid), not by this user (uid \(me)) or root: another user could plant files in it (fix: chown \(me) \(path), or run as its owner)"
    } else if writableByOthers && !sticky {
      refusal =
        "it is writable by group or others, who could plant files in it (fix: chmod go-w \(path))"
    }
    if let refusal {
      close(fd)
      throw FileError(path: path, action: "use \(what)", refusal: refusal)
    }
    self.fd = fd
    isShared = writableByOthers
  }

  deinit { close(fd) }

  /// The path of `name` in this directory, for messages and for programs
  /// handed a file (sendmail).
  public func path(_ name: String) -> String { path + "/" + name }

  /// Opens the file `name` (`flags`: O_RDONLY or O_RDWR) when it is a
  /// regular file owned by this user: its descriptor. A link, a FIFO, a
  /// device or another user's file is refused; a FIFO without blocking.
  public func openOwnFile(_ name: String, flags: Int32 = O_RDONLY) throws(FileError) -> Int32 {
    let fd = openat(self.fd, name, flags | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
    guard fd >= 0 else {
      let e = errno
      if e == ELOOP {
        throw FileError(
          path: path(name), action: "trust",
          refusal: "it is a symbolic link, and notify-unit follows none where it keeps files")
      }
      throw FileError(path: path(name), errno: e, action: "open")
    }
    if let refusal = Self.refusal(of: fd) {
      close(fd)
      throw FileError(path: path(name), action: "trust", refusal: refusal)
    }
    return fd
  }

  /// Why the file open on `fd` is not one notify-unit wrote; nil when it is.
  static func refusal(of fd: Int32) -> String? {
    var st = stat()
    guard fstat(fd, &st) == 0 else { return "it cannot be examined (\(errnoName(errno)))" }
    guard st.st_mode & S_IFMT == S_IFREG else {
      return "it is not a regular file, so notify-unit did not write it"
    }
    guard st.st_uid == geteuid() else {
      return
        "it is owned by uid \(st.st_uid), not by this user (uid \(geteuid())), so notify-unit did not write it"
    }
    return nil
  }

  /// The contents of the file `name`, at most `maxBytes`, when it is this
  /// user's regular file (`openOwnFile`).
  public func read(_ name: String, maxBytes: Int) throws(FileError) -> [UInt8] {
    let fd = try openOwnFile(name)
    defer { close(fd) }
    var data: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while data.count < maxBytes {
      let n = Glibc.read(fd, &chunk, min(chunk.count, maxBytes - data.count))
      if n < 0 && errno == EINTR { continue }
      if n < 0 { throw FileError(path: path(name), errno: errno) }
      if n == 0 { break }
      data += chunk[..<n]
    }
    return data
  }

  /// Makes a new file `PREFIX.RANDOM.tmp` with exactly `mode`, never over
  /// an existing name nor through a link: its descriptor (read-write) and
  /// name. A leading "." in `prefix` keeps it out of every listing.
  public func createTemporary(prefix: String, mode: mode_t) throws(FileError) -> (
    fd: Int32, name: String
  ) {
    for _ in 0..<100 {
      let name = prefix + "." + Self.randomSuffix() + ".tmp"
      let fd = openat(self.fd, name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
      if fd < 0 {
        if errno == EEXIST { continue }
        throw FileError(path: path(name), errno: errno, action: "create")
      }
      // The umask may have taken bits away: the mode is what is asked for.
      guard fchmod(fd, mode) == 0 else {
        let e = errno
        close(fd)
        unlinkat(self.fd, name, 0)
        throw FileError(path: path(name), errno: e, action: "set the mode of")
      }
      return (fd, name)
    }
    throw FileError(path: path(prefix), errno: EEXIST, action: "create a temporary file for")
  }

  /// 16 random hex digits: a temporary's name nobody can plant in advance.
  static func randomSuffix() -> String {
    let value = UInt64.random(in: .min ... .max)
    let hex = String(value, radix: 16)
    return String(repeating: "0", count: 16 - hex.count) + hex
  }

  /// Replaces `name` by `bytes`, whole (a temporary, written, fsynced,
  /// renamed over it, the directory fsynced); call it holding `withLock`
  /// where writers may race.
  public func replace(_ name: String, with bytes: [UInt8], mode: mode_t) throws(FileError) {
    let (fd, temporary) = try createTemporary(prefix: "." + name, mode: mode)
    let writeError = writeFully(fd, bytes)
    let syncError = writeError == nil && fsync(fd) != 0 ? errno : nil
    close(fd)
    if let e = writeError ?? syncError {
      unlinkat(self.fd, temporary, 0)
      throw FileError(path: path(temporary), errno: e, action: "write")
    }
    do {
      try rename(temporary, to: name)
    } catch {
      remove(temporary)
      throw error
    }
    sync()
  }

  /// Renames `from` over `to`, both in this directory.
  public func rename(_ from: String, to: String) throws(FileError) {
    guard renameat(fd, from, fd, to) == 0 else {
      throw FileError(path: path(to), errno: errno, action: "write")
    }
  }

  /// Hard-links `name` of `source` here as `to` (never over an existing
  /// name, never following a link); false with errno set when it fails.
  public func link(_ name: String, of source: TrustedDirectory, as to: String) -> Bool {
    linkat(source.fd, name, fd, to, 0) == 0
  }

  /// Removes `name`; the errno when it fails.
  @discardableResult
  public func remove(_ name: String) -> Int32? {
    unlinkat(fd, name, 0) == 0 ? nil : errno
  }

  /// Whether `name` exists (as anything, a link not followed).
  public func exists(_ name: String) -> Bool {
    var st = stat()
    return fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0
  }

  /// `name`'s status, a link not followed; nil when it is not there.
  public func status(_ name: String) -> stat? {
    var st = stat()
    return fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 ? st : nil
  }

  /// The names in the directory, "." and ".." left out.
  public func names() throws(FileError) -> [String] {
    // fdopendir takes the descriptor it is given: a duplicate, ours stays.
    let copy = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard copy >= 0, let dir = fdopendir(copy) else {
      let e = errno
      throw FileError(path: path, errno: e, action: "read the directory")
    }
    defer { closedir(dir) }
    var names: [String] = []
    while let item = readdir(dir) {
      let name = withUnsafeBytes(of: item.pointee.d_name) { raw in
        String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
      }
      if name != "." && name != ".." { names.append(name) }
    }
    return names
  }

  /// Makes renames, links and unlinks survive a power cut. A failure here
  /// loses nothing now (the files are in place), so it is not an error.
  public func sync() { fsync(fd) }

  /// Runs `body` holding the directory's lock (`.lock`, this user's
  /// regular file: never followed through a link), waiting at most 2 s.
  public func withLock<T>(_ body: () throws(FileError) -> T) throws(FileError) -> T {
    let lock = try openLock()
    defer { close(lock) }
    let until = Deadline(secondsFromNow: 2)
    while flock(lock, LOCK_EX | LOCK_NB) != 0 {
      guard errno == EWOULDBLOCK || errno == EINTR, !until.hasPassed else {
        throw FileError(path: path(".lock"), errno: errno, action: "lock")
      }
      usleep(5_000)
    }
    return try body()
  }

  private func openLock() throws(FileError) -> Int32 {
    // Made when missing (O_EXCL: never through a link planted there), else
    // opened as an existing file of this user's.
    let made = openat(fd, ".lock", O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
    if made >= 0 { return made }
    guard errno == EEXIST else {
      throw FileError(path: path(".lock"), errno: errno, action: "create")
    }
    return try openOwnFile(".lock", flags: O_RDWR)
  }
}

/// errno's symbolic text, for a line.
func errnoName(_ e: Int32) -> String { String(cString: strerror(e)) }
