import NotifyUnitCore

#if canImport(Glibc)
  import Glibc
#endif

/// Small files replaced whole, as UnitStateStore replaces a unit's record:
/// under the directory's lock (`.lock`, waited for at most 2 s), written to
/// a temporary file, fsynced, renamed over the old one, and the directory
/// fsynced, so a reader sees the old file or the new one, never a torn one.
enum AtomicFile {
  /// Runs `body` holding `directory`'s lock.
  static func withLock<T>(_ directory: String, _ body: () throws(FileError) -> T) throws(FileError)
    -> T
  {
    let lockPath = directory + "/.lock"
    let lock = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o640)
    guard lock >= 0 else { throw FileError(path: lockPath, errno: errno, action: "open") }
    defer { close(lock) }
    let until = Deadline(secondsFromNow: 2)
    while flock(lock, LOCK_EX | LOCK_NB) != 0 {
      guard errno == EWOULDBLOCK || errno == EINTR, !until.hasPassed else {
        throw FileError(path: lockPath, errno: errno, action: "lock")
      }
      usleep(5_000)
    }
    return try body()
  }

  /// Replaces `path` (in `directory`) by `bytes`, the file made with
  /// `mode`; call it holding the lock where writers may race.
  static func replace(
    _ path: String, in directory: String, with bytes: [UInt8], mode: mode_t = 0o640
  ) throws(FileError) {
    let temporary = path + ".tmp-\(getpid())"
    let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
    guard fd >= 0 else { throw FileError(path: temporary, errno: errno, action: "create") }
    let writeError = writeFully(fd, bytes)
    let syncError = fsync(fd) == 0 ? nil : errno
    close(fd)
    if let e = writeError ?? syncError {
      unlink(temporary)
      throw FileError(path: temporary, errno: e, action: "write")
    }
    guard rename(temporary, path) == 0 else {
      let e = errno
      unlink(temporary)
      throw FileError(path: path, errno: e, action: "write")
    }
    // The file is in place; the directory's fsync only makes it survive a
    // power cut, and its failure is no reason to call the write failed.
    let dir = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    if dir >= 0 {
      fsync(dir)
      close(dir)
    }
  }
}
