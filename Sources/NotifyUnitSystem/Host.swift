import NotifyUnitCore

#if canImport(Glibc)
  import Glibc
#endif

/// Facts about this machine and this moment that the report needs.
public enum Host {
  /// The host name as the kernel has it (what `hostname` prints).
  public static var name: String {
    var buffer = [CChar](repeating: 0, count: 256)
    guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
    let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
    return String(decoding: bytes, as: UTF8.self)
  }

  /// Microseconds since the epoch.
  public static var nowMicroseconds: UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return UInt64(ts.tv_sec) * 1_000_000 + UInt64(ts.tv_nsec) / 1000
  }

  /// Random hex for Message-IDs and MIME boundaries.
  public static func randomHex(bytes: Int = 16) -> String {
    var generator = SystemRandomNumberGenerator()
    return Hex.string((0..<bytes).map { _ in UInt8.random(in: 0...255, using: &generator) })
  }

  /// The environment as a dictionary.
  public static var environment: [String: String] {
    var result: [String: String] = [:]
    var p = environ
    while let entry = p.pointee {
      let s = String(cString: entry)
      if let eq = s.firstIndex(of: "=") {
        result[String(s[..<eq])] = String(s[s.index(after: eq)...])
      }
      p += 1
    }
    return result
  }

  /// Writes one line to stderr, whole (a pipe to journald may take it in
  /// parts).
  public static func printError(_ line: String) {
    // When stderr itself cannot be written there is nowhere left to say so;
    // what the line reported is also in the exit status.
    _ = writeFully(2, Array((line + "\n").utf8))
  }

  /// True when the file's mode lets every user read it, or with `group`,
  /// its group's members too.
  public static func isReadableByOthers(_ path: String, group: Bool = false) -> Bool {
    var st = stat()
    return stat(path, &st) == 0 && st.st_mode & (group ? 0o044 : 0o004) != 0
  }

  /// A new temporary file, already unlinked (nothing is left behind, even
  /// after a kill) and closed on exec (not for sendmail to inherit): its
  /// descriptor. `directory` defaults to $TMPDIR, else /tmp (private under
  /// PrivateTmp=).
  public static func unlinkedTemporaryFile(prefix: String, directory: String? = nil)
    throws(FileError) -> Int32
  {
    let dir = directory ?? environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
    var template = Array("\(dir)/\(prefix).XXXXXX".utf8CString)
    // (mkostemp's O_CLOEXEC is not in Swift's Glibc module.)
    let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
    guard fd >= 0 else {
      throw FileError(path: dir, errno: errno, action: "create a temporary file in")
    }
    let path = String(
      decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    let unlinked = unlink(path) == 0
    // Left, the file would outlive the run with a report's log in it; open
    // across an exec, sendmail would hold it.
    guard unlinked, fcntl(fd, F_SETFD, FD_CLOEXEC) == 0 else {
      let error = FileError(
        path: path, errno: errno,
        action: unlinked ? "mark as closed on exec" : "remove the temporary file")
      close(fd)
      throw error
    }
    return fd
  }

  /// Opens `path` for reading, without blocking, and closes it again: why
  /// it cannot be read (or is not a directory when `directory`, not a
  /// regular file otherwise: a FIFO would hang the reader), nil when it can.
  public static func checkReadable(_ path: String, directory: Bool) -> FileError? {
    let fd = open(
      path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY | (directory ? O_DIRECTORY : 0))
    guard fd >= 0 else { return FileError(path: path, errno: errno, action: "open") }
    defer { close(fd) }
    var st = stat()
    guard fstat(fd, &st) == 0 else { return FileError(path: path, errno: errno, action: "open") }
    if !directory, st.st_mode & S_IFMT != S_IFREG {
      return FileError(
        path: path, action: "open",
        refusal: "it is \(fileKind(st.st_mode)), not a regular file: name a regular file")
    }
    return nil
  }

  /// The text of a regular file of at most `maxBytes`, else why not: opened
  /// without blocking (a FIFO, a device or a directory is refused, never
  /// waited on) and never cut (a longer file is refused, not read in part).
  public static func readFile(_ path: String, maxBytes: Int = 1 << 20) -> Result<String, FileError>
  {
    let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
    guard fd >= 0 else { return .failure(FileError(path: path, errno: errno)) }
    defer { close(fd) }
    var st = stat()
    guard fstat(fd, &st) == 0 else { return .failure(FileError(path: path, errno: errno)) }
    // /dev/null, the usual "no file": empty, and it never blocks.
    // (Device 1:3 in glibc's dev_t, whose makedev Swift does not import.)
    if st.st_mode & S_IFMT == S_IFCHR, st.st_rdev == 0x103 { return .success("") }
    guard st.st_mode & S_IFMT == S_IFREG else {
      return .failure(
        FileError(
          path: path, action: "read",
          refusal: "it is \(fileKind(st.st_mode)), not a regular file: name a regular file"))
    }
    let tooLong = FileError(
      path: path, action: "read", refusal: "it is longer than \(maxBytes) bytes, the most allowed")
    if st.st_size > maxBytes { return .failure(tooLong) }
    var data: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    // One byte past the bound: a file that grew (or a /proc file, whose
    // size says 0) is refused too.
    while data.count <= maxBytes {
      let n = read(fd, &chunk, min(chunk.count, maxBytes + 1 - data.count))
      if n < 0 && errno == EINTR { continue }
      if n < 0 { return .failure(FileError(path: path, errno: errno)) }
      if n == 0 { break }
      data += chunk[..<n]
    }
    if data.count > maxBytes { return .failure(tooLong) }
    return .success(String(decoding: data, as: UTF8.self))
  }

  /// What a file that is not regular is, for an error line.
  static func fileKind(_ mode: mode_t) -> String {
    switch mode & S_IFMT {
    case S_IFIFO: "a FIFO"
    case S_IFDIR: "a directory"
    case S_IFCHR: "a character device"
    case S_IFBLK: "a block device"
    case S_IFSOCK: "a socket"
    default: "not a regular file"
    }
  }
}

public struct FileError: Error, CustomStringConvertible, Sendable {
  public var path: String
  public var errno: Int32
  public var action = "read"
  /// Why notify-unit will not use the file or directory (planted by another
  /// user, a link, writable by others): said instead of errno's text.
  public var refusal: String? = nil
  public var isMissing: Bool { errno == ENOENT && refusal == nil }
  public var isRefusal: Bool { refusal != nil }

  public init(path: String, errno: Int32, action: String = "read") {
    self.path = path
    self.errno = errno
    self.action = action
  }

  public init(path: String, action: String, refusal: String) {
    self.init(path: path, errno: EPERM, action: action)
    self.refusal = refusal
  }

  public var description: String {
    "cannot \(action) \(path): \(refusal ?? String(cString: strerror(errno)))"
  }
}
