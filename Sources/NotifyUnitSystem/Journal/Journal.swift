import CSystemd
import NotifyUnitCore

#if canImport(Glibc)
  import Glibc
#endif

/// Which journal to read.
public enum JournalSource: Sendable, Equatable {
  /// The local system and user journals (needs the systemd-journal group, or
  /// root, for other users' and system units' entries).
  case local
  case files([String])
  case directory(String)
}

/// An open `sd_journal`: the one place sd-journal's C API is called.
/// Not Sendable: create it where it is used (sd-journal is not thread-safe).
public final class Journal: JournalEntryFields {
  private let handle: OpaquePointer

  public init(_ source: JournalSource) throws(JournalError) {
    var j: OpaquePointer?
    let r: Int32
    switch source {
    case .local:
      r = sd_journal_open(&j, Int32(SD_JOURNAL_LOCAL_ONLY))
    case .directory(let path):
      r = sd_journal_open_directory(&j, path, 0)
    case .files(let paths):
      var cStrings = paths.map { strdup($0) } + [nil]
      defer { for p in cStrings { free(p) } }
      guard !cStrings.dropLast().contains(nil) else {
        throw JournalError("opening the journal files", -ENOMEM)
      }
      r = cStrings.withUnsafeMutableBufferPointer { buffer in
        buffer.baseAddress!.withMemoryRebound(
          to: UnsafePointer<CChar>?.self, capacity: buffer.count
        ) {
          sd_journal_open_files(&j, $0, 0)
        }
      }
    }
    guard r >= 0, let j else {
      // Which journal: a wrong JOURNAL_FILE or directory is then plain to see.
      let which: String
      switch source {
      case .local: which = "the journal"
      case .directory(let path): which = "the journal in \(path)"
      case .files(let paths): which = "the journal file(s) " + paths.joined(separator: ", ")
      }
      throw JournalError("opening \(which)", r)
    }
    // Fields over 64 KiB would be cut otherwise; the report keeps them whole.
    let t = sd_journal_set_data_threshold(j, 0)
    guard t >= 0 else {
      sd_journal_close(j)
      throw JournalError("lifting the journal's 64 KiB field limit", t)
    }
    handle = j
  }

  deinit { sd_journal_close(handle) }

  /// False when no journal file could be opened at all: usually missing
  /// permissions (the systemd-journal group), sometimes no journal at all.
  public var hasFiles: Bool {
    sd_journal_has_runtime_files(handle) > 0 || sd_journal_has_persistent_files(handle) > 0
  }

  public func addMatch(_ match: String) throws(JournalError) {
    let r = match.withCString { sd_journal_add_match(handle, $0, 0) }
    guard r >= 0 else { throw JournalError("adding a journal match", r) }
  }

  public func addDisjunction() throws(JournalError) {
    let r = sd_journal_add_disjunction(handle)
    guard r >= 0 else { throw JournalError("adding a journal disjunction", r) }
  }

  public func flushMatches() { sd_journal_flush_matches(handle) }

  public func seekHead() throws(JournalError) {
    let r = sd_journal_seek_head(handle)
    guard r >= 0 else { throw JournalError("seeking the journal's head", r) }
  }

  public func seekTail() throws(JournalError) {
    let r = sd_journal_seek_tail(handle)
    guard r >= 0 else { throw JournalError("seeking the journal's tail", r) }
  }

  /// Moves before the first entry at or after `usec` (CLOCK_REALTIME).
  public func seek(realtime usec: UInt64) throws(JournalError) {
    let r = sd_journal_seek_realtime_usec(handle, usec)
    guard r >= 0 else { throw JournalError("seeking the journal", r) }
  }

  /// The current entry's cursor, to come back to it in another handle.
  public func cursor() -> String? {
    var text: UnsafeMutablePointer<CChar>? = nil
    guard sd_journal_get_cursor(handle, &text) >= 0, let text else { return nil }
    defer { free(text) }
    return String(cString: text)
  }

  /// Moves before the entry of `cursor` (next() lands on it).
  public func seek(cursor: String) throws(JournalError) {
    let r = cursor.withCString { sd_journal_seek_cursor(handle, $0) }
    guard r >= 0 else { throw JournalError("seeking the journal", r) }
  }

  /// Moves to the next entry; false at the end.
  public func next() throws(JournalError) -> Bool {
    let r = sd_journal_next(handle)
    guard r >= 0 else { throw JournalError("reading the journal", r) }
    return r > 0
  }

  public func previous() throws(JournalError) -> Bool {
    let r = sd_journal_previous(handle)
    guard r >= 0 else { throw JournalError("reading the journal", r) }
    return r > 0
  }

  /// The current entry's realtime timestamp, microseconds since the epoch.
  /// Moves back `count` entries, or as many as there are; how many.
  public func previous(skipping count: Int) throws(JournalError) -> Int {
    let r = sd_journal_previous_skip(handle, UInt64(max(1, count)))
    guard r >= 0 else { throw JournalError("reading the journal", r) }
    return Int(r)
  }

  public func realtime() -> UInt64 {
    var usec: UInt64 = 0
    return sd_journal_get_realtime_usec(handle, &usec) >= 0 ? usec : 0
  }

  /// Calls `body` with the value of `field` in the current entry (bytes
  /// after "FIELD="), or nil when the entry has no such field. The bytes are
  /// valid only inside `body`: sd-journal reuses its buffer.
  public func withField<R>(_ field: String, _ body: (UnsafeRawBufferPointer?) -> R) -> R {
    var data: UnsafeRawPointer?
    var length = 0
    let r = field.withCString { sd_journal_get_data(handle, $0, &data, &length) }
    guard r >= 0, let data else { return body(nil) }
    let skip = field.utf8.count + 1
    guard length >= skip else { return body(nil) }
    return body(UnsafeRawBufferPointer(start: data + skip, count: length - skip))
  }

  /// Calls `body` with each `FIELD=value` of the current entry, in one pass
  /// over the entry (cheaper than one `withField` per field). The bytes are
  /// valid only inside `body`.
  ///
  /// A field that cannot be read (a damaged file, a compression this
  /// libsystemd lacks) ends the entry there, as journalctl does, rather than
  /// the whole read: returns false then.
  @discardableResult
  public func forEachField(_ body: (UnsafeRawBufferPointer) -> Void) -> Bool {
    sd_journal_restart_data(handle)
    var data: UnsafeRawPointer?
    var length = 0
    while true {
      let r = sd_journal_enumerate_data(handle, &data, &length)
      if r == 0 { return true }
      guard r > 0 else { return false }
      if let data { body(UnsafeRawBufferPointer(start: data, count: length)) }
    }
  }

  public func field(_ name: String) -> [UInt8]? {
    withField(name) { $0.map { Array($0) } }
  }

  /// Prepares change notification; call before reading so nothing written in
  /// between is missed (sd_journal_get_fd(3)).
  public func enableWaiting() {
    _ = sd_journal_get_fd(handle)
  }

  public enum Change { case none, appended, invalidated }

  /// Waits up to `seconds` for the journal to change.
  public func wait(seconds: Double) -> Change {
    Self.change(sd_journal_wait(handle, UInt64(max(0, seconds) * 1_000_000)))
  }

  /// Waits up to `seconds` for the journal to change or `fd` to become
  /// readable, as sd_journal_wait(3) does with one more descriptor
  /// (sd_journal_get_fd(3): poll the fd for sd_journal_get_events(), no
  /// longer than sd_journal_get_timeout(), then sd_journal_process()).
  public func wait(seconds: Double, orReadable fd: Int32) -> Change {
    let journalFD = sd_journal_get_fd(handle)
    let events = sd_journal_get_events(handle)
    guard journalFD >= 0, events >= 0 else { return wait(seconds: seconds) }
    var timeoutMS = Int32(min(max(0, seconds), 3600) * 1000)
    var until: UInt64 = 0
    if sd_journal_get_timeout(handle, &until) >= 0, until != UInt64.max {
      var now = timespec()
      if clock_gettime(CLOCK_MONOTONIC, &now) == 0 {
        let nowUsec = UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1000
        let left = until > nowUsec ? (until - nowUsec + 999) / 1000 : 0
        timeoutMS = min(timeoutMS, Int32(clamping: left))
      }
    }
    var fds = [
      pollfd(fd: journalFD, events: Int16(events), revents: 0),
      pollfd(fd: fd, events: Int16(POLLIN), revents: 0),
    ]
    let r = fds.withUnsafeMutableBufferPointer { poll($0.baseAddress, 2, timeoutMS) }
    // EINTR counts as a wake-up; any other failure ends the wait early,
    // and the caller's loop looks again (its own deadline bounds it).
    _ = r
    return Self.change(sd_journal_process(handle))
  }

  private static func change(_ r: Int32) -> Change {
    switch r {
    case Int32(SD_JOURNAL_APPEND): return .appended
    case Int32(SD_JOURNAL_INVALIDATE): return .invalidated
    default: return .none
    }
  }
}
