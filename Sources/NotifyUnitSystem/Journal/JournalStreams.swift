#if canImport(Glibc)
  import Glibc
#endif

/// Whether journald has stored the last lines of a unit's stdout streams,
/// read from its state files in /run/systemd/journal/streams/.
///
/// journald keeps one file per open stdout stream (named by its socket's
/// device:inode; on systemd 252 it holds `UNIT=`, `IDENTIFIER=`, `STREAM_ID=`
/// and the stream's settings, 0600 root) and removes it when the stream is
/// destroyed: after EOF, once every line read from it was written to the
/// journal (journald-stream.c). So when notify-unit runs from
/// ExecStopPost=, its unit's main process has exited, and no stream of the
/// unit but its own remains, the job's lines are stored.
///
/// journald calls these files private ("Do not parse"): this is an
/// optimisation, never the only way to know. Whatever cannot be told for
/// sure is `.unknown`, and the caller waits for the quiet window as before.
public struct JournalStreams {
  public static let defaultDirectory = "/run/systemd/journal/streams"

  public enum State: Equatable, Sendable {
    /// No stream of the unit is left but notify-unit's own.
    case closed
    /// Streams still open: `named` name the unit (readable files), `maybe`
    /// could not be read but were opened during the run.
    case open(named: Int, maybe: Int)
    /// Cannot be known here; the reason, for the debug log.
    case unknown(String)
  }

  public let directory: String
  public let unit: String
  /// notify-unit's own streams: its stdout and stderr, when they are
  /// sockets (one stream when both go to the journal, as systemd dups it).
  public let ownStreams: Int
  /// Files older than this (microseconds since the epoch) are not the run's.
  public let runStart: UInt64?
  /// When notify-unit's process was made (realtime, microseconds, rounded
  /// down to a clock tick): its own streams are no older, the job's are.
  public let ownSince: UInt64?

  public init(
    unit: String, runStart: UInt64?, ownStreams: Int = JournalStreams.ownStreamCount(),
    ownSince: UInt64? = JournalStreams.processStart(),
    directory: String = JournalStreams.defaultDirectory
  ) {
    self.unit = unit
    self.runStart = runStart
    self.ownStreams = ownStreams
    self.ownSince = ownSince
    self.directory = directory
  }

  /// This process's start (proc(5): starttime, clock ticks after boot) as
  /// realtime microseconds; nil when /proc cannot tell.
  public static func processStart() -> UInt64? {
    guard case .success(let text) = Host.readFile("/proc/self/stat", maxBytes: 4096),
      let paren = text.lastIndex(of: ")")
    else { return nil }
    // After "(comm)": state is field 3, starttime field 22.
    let fields = text[text.index(after: paren)...].split(separator: " ")
    let ticksPerSecond = sysconf(Int32(_SC_CLK_TCK))
    guard fields.count > 19, let ticks = UInt64(fields[19]), ticksPerSecond > 0 else { return nil }
    var boot = timespec()
    var real = timespec()
    guard clock_gettime(CLOCK_BOOTTIME, &boot) == 0, clock_gettime(CLOCK_REALTIME, &real) == 0
    else { return nil }
    let sinceBoot = UInt64(boot.tv_sec) * 1_000_000 + UInt64(boot.tv_nsec) / 1000
    let now = UInt64(real.tv_sec) * 1_000_000 + UInt64(real.tv_nsec) / 1000
    let started = ticks * 1_000_000 / UInt64(ticksPerSecond)
    guard sinceBoot >= started, now >= sinceBoot - started else { return nil }
    return now - (sinceBoot - started)
  }

  /// How many distinct sockets notify-unit's stdout and stderr are.
  public static func ownStreamCount() -> Int {
    var seen: [(UInt64, UInt64)] = []
    for fd in [STDOUT_FILENO, STDERR_FILENO] {
      var st = stat()
      guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFSOCK else { continue }
      let id = (UInt64(st.st_dev), UInt64(st.st_ino))
      if !seen.contains(where: { $0 == id }) { seen.append(id) }
    }
    return seen.count
  }

  /// One state file as seen by notify-unit.
  public struct Stream: Sendable {
    /// CLOCK_REALTIME, microseconds: when journald wrote it (the stream's
    /// start, when its header was read).
    public var modified: UInt64
    public var owner: Owner

    public init(modified: UInt64, owner: Owner) {
      self.modified = modified
      self.owner = owner
    }
  }

  public enum Owner: Equatable, Sendable {
    /// Its `UNIT=`.
    case unit(String)
    /// Readable, without `UNIT=`: not a unit's stream.
    case noUnit
    /// Not readable by this user.
    case unreadable
  }

  /// Reads the directory now.
  public func state() -> State {
    guard ownStreams > 0 else {
      return .unknown("notify-unit's output is not a journal stream")
    }
    guard let dir = opendir(directory) else {
      return .unknown("\(directory): \(String(cString: strerror(errno)))")
    }
    defer { closedir(dir) }
    var streams: [Stream] = []
    while let entry = readdir(dir) {
      let name = withUnsafeBytes(of: entry.pointee.d_name) {
        String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
      }
      guard !name.hasPrefix(".") else { continue }
      if let stream = Self.stream(at: directory + "/" + name) { streams.append(stream) }
    }
    return Self.state(
      of: streams, unit: unit, runStart: runStart, ownStreams: ownStreams, ownSince: ownSince)
  }

  /// Decides from the files seen. A readable file names its unit; an
  /// unreadable one (a `User=` unit cannot read journald's 0600 files) may
  /// be the unit's when it was written after the run started. Of those,
  /// the newest `ownStreams` written since notify-unit started are its own
  /// (journald accepts connections in order, and notify-unit's stream was
  /// opened after the main process's); every older one is the job's. Until
  /// its own are there (journald, still busy with the job's lines, has not
  /// read their header yet; or another journal namespace), the job's
  /// stream may be open.
  public static func state(
    of streams: [Stream], unit: String, runStart: UInt64?, ownStreams: Int, ownSince: UInt64?
  ) -> State {
    guard let ownSince else { return .unknown("notify-unit's start time is unknown") }
    var candidates: [(modified: UInt64, named: Bool)] = []
    for stream in streams {
      switch stream.owner {
      case .unit(let named):
        if named == unit { candidates.append((stream.modified, true)) }
      case .noUnit:
        continue
      case .unreadable:
        guard let runStart else { return .unknown("unreadable stream files, no run start") }
        // A second of slack: journald may store the run's first message
        // after it read a stream header.
        if stream.modified + 1_000_000 >= runStart { candidates.append((stream.modified, false)) }
      }
    }
    let sorted = candidates.sorted { $0.modified < $1.modified }
    let own = sorted.suffix(ownStreams).filter { $0.modified >= ownSince }
    let open = sorted.dropLast(own.count)
    let named = open.filter(\.named).count
    if own.count < ownStreams {
      // Not there yet: the job's stream may be too, unseen.
      return .open(named: named, maybe: open.count - named + 1)
    }
    return open.isEmpty ? .closed : .open(named: named, maybe: open.count - named)
  }

  /// A state file, nil when it vanished or is no regular file.
  static func stream(at path: String) -> Stream? {
    var st = stat()
    guard lstat(path, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { return nil }
    let modified =
      UInt64(max(0, st.st_mtim.tv_sec)) * 1_000_000 + UInt64(max(0, st.st_mtim.tv_nsec)) / 1000
    let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
    guard fd >= 0 else {
      // Gone meanwhile: closed. Not allowed: perhaps the unit's.
      return errno == ENOENT ? nil : Stream(modified: modified, owner: .unreadable)
    }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while bytes.count < 65536 {
      let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
      if n < 0, errno == EINTR { continue }
      guard n > 0 else { break }
      bytes += buffer[0..<n]
    }
    return Stream(
      modified: modified, owner: Self.unit(inStateFile: bytes).map { .unit($0) } ?? .noUnit)
  }

  /// `UNIT=` of a state file's `KEY=value` lines, C-unescaped as journald
  /// writes it; lines it does not know (comments, other keys) are skipped.
  public static func unit(inStateFile bytes: [UInt8]) -> String? {
    for line in bytes.split(separator: 0x0A) where line.starts(with: Array("UNIT=".utf8)) {
      return String(decoding: cUnescaped(Array(line.dropFirst(5))), as: UTF8.self)
    }
    return nil
  }

  /// Undoes systemd's cescape(): `\\`, `\"`, `\'`, `\n`, `\t`, `\xNN`, `\NNN`.
  public static func cUnescaped(_ s: [UInt8]) -> [UInt8] {
    var out: [UInt8] = []
    var i = 0
    func hex(_ c: UInt8) -> UInt8? {
      switch c {
      case 0x30...0x39: return c - 0x30
      case 0x61...0x66: return c - 0x61 + 10
      case 0x41...0x46: return c - 0x41 + 10
      default: return nil
      }
    }
    while i < s.count {
      guard s[i] == 0x5C, i + 1 < s.count else {
        out.append(s[i])
        i += 1
        continue
      }
      let c = s[i + 1]
      switch c {
      case 0x6E:
        out.append(0x0A)
        i += 2
      case 0x74:
        out.append(0x09)
        i += 2
      case 0x72:
        out.append(0x0D)
        i += 2
      case 0x78 where i + 3 < s.count:
        if let h = hex(s[i + 2]), let l = hex(s[i + 3]) {
          out.append(h << 4 | l)
          i += 4
        } else {
          out.append(c)
          i += 2
        }
      case 0x30...0x37 where i + 3 < s.count:
        let digits = s[(i + 1)...(i + 3)]
        if digits.allSatisfy({ (0x30...0x37).contains($0) }) {
          out.append(digits.reduce(0) { $0 &* 8 &+ ($1 - 0x30) })
          i += 4
        } else {
          out.append(c)
          i += 2
        }
      default:
        out.append(c)
        i += 2
      }
    }
    return out
  }
}

/// Wakes a waiter when a file is added to or removed from a directory
/// (inotify(7)), so that a stream's end is seen as it happens.
public final class DirectoryWatch {
  public let fd: Int32

  public init?(directory: String) {
    let fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
    guard fd >= 0 else { return nil }
    let mask = UInt32(IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO)
    guard inotify_add_watch(fd, directory, mask) >= 0 else {
      close(fd)
      return nil
    }
    self.fd = fd
  }

  deinit { close(fd) }

  /// Reads the queued events (their content does not matter: the
  /// directory is read again).
  public func drain() {
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
      let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
      if n < 0, errno == EINTR { continue }
      if n <= 0 { return }
    }
  }
}
