/// Finds restic's backup summary in a run's log, one line at a time, while
/// the log is read (bounded memory: a few fields, whatever the log's size).
///
/// Text, as `restic backup` prints it (internal/ui/backup/text.go):
///
///     Files:           2 new,     0 changed,     0 unmodified
///     Added to the repository: 196.695 KiB (196.423 KiB stored)   (0.14+)
///     Added to the repo: 196.695 KiB                              (0.13-)
///     processed 2 files, 195.318 KiB in 0:00
///     snapshot a80c362e saved
///
/// and `--json`'s `{"message_type":"summary",...}` line. A summary counts
/// once its snapshot line (or JSON line) is seen; the last one wins. The
/// same lines also tell that the job is restic, whose exit statuses have
/// meanings of their own (`KnownJob`).
public struct ResticSummaryParser: Sendable {
  /// The last complete summary.
  public private(set) var summary: ResticSummary?
  /// A line only restic prints was seen.
  public private(set) var sawRestic = false
  /// The summary being read, before its snapshot line.
  private var pending: ResticSummary?

  /// Longer lines are not restic's summary (a JSON summary is ~400 bytes).
  static let maxLineBytes = 4096

  public init() {}

  public mutating func add(_ message: [UInt8]) {
    guard message.count <= Self.maxLineBytes else { return }
    var end = message.count
    while end > 0, message[end - 1] == 0x0A || message[end - 1] == 0x0D || message[end - 1] == 0x20
    {
      end -= 1
    }
    let line = message[..<end].drop(while: { $0 == 0x20 || $0 == 0x09 })
    guard let first = line.first else { return }
    if first == UInt8(ascii: "{") {
      addJSON(line)
      return
    }
    // Every line read below starts with one of these: the others (nearly
    // all of a long log) are not made into a String.
    guard Self.isFirstByte[Int(first)] else { return }
    let text = String(decoding: line, as: UTF8.self)
    if Self.resticOnlyPrefixes.contains(where: text.hasPrefix) { sawRestic = true }
    if text.hasPrefix("Files:") {
      pending = Self.files(text.dropFirst("Files:".count)).map { files in
        var s = ResticSummary()
        (s.filesNew, s.filesChanged, s.filesUnmodified) = files
        return s
      }
      if pending != nil { sawRestic = true }
    } else if pending != nil,
      let rest = Self.after(text, ["Added to the repository:", "Added to the repo:"])
    {
      // "196.695 KiB (196.423 KiB stored)", or the size alone (0.13).
      let value = rest.trimmed
      if let open = value.firstRange(of: " ("), value.hasSuffix("stored)") {
        pending?.added = Self.shown(String(value[..<open.lowerBound]).trimmed)
        pending?.stored = Self.shown(
          String(value[open.upperBound...].dropLast("stored)".count)).trimmed)
      } else {
        pending?.added = Self.shown(value)
      }
    } else if pending != nil, text.hasPrefix("processed ") {
      // "processed 2 files, 195.318 KiB in 0:00"
      let rest = text.dropFirst("processed ".count)
      guard let comma = rest.firstRange(of: " files, "), let files = Int(rest[..<comma.lowerBound])
      else {
        return
      }
      pending?.processedFiles = files
      let sizeAndTime = rest[comma.upperBound...]
      if let inWord = sizeAndTime.ranges(of: " in ").last {
        pending?.processedSize = Self.shown(String(sizeAndTime[..<inWord.lowerBound]))
        pending?.duration = Self.shown(String(sizeAndTime[inWord.upperBound...]))
      } else {
        pending?.processedSize = Self.shown(String(sizeAndTime))
      }
    } else if let rest = Self.after(text, ["snapshot "]), rest.hasSuffix(" saved") {
      let id = rest.dropLast(" saved".count)
      guard Self.isHex(id), var done = pending else { return }
      done.snapshotID = String(id.prefix(8))
      summary = done
      pending = nil
      sawRestic = true
    } else if pending != nil, text == "skipped creating snapshot" {
      summary = pending
      pending = nil
    }
  }

  /// Lines only restic writes: enough to know its exit statuses apply.
  static let resticOnlyPrefixes = [
    "using parent snapshot ", "no parent snapshot found", "Added to the repo",
    "Warning: at least one source file could not be read", "Fatal: wrong password or no key found",
    "Is there a repository at the following location?", "Fatal: unable to create lock in backend",
    "Fatal: unable to open config file", "Fatal: repository contains errors",
  ]

  /// True at the first bytes of `resticOnlyPrefixes` and of the summary's
  /// lines: a table, as this is asked for every line of the log.
  static let isFirstByte: [Bool] = {
    var table = [Bool](repeating: false, count: 256)
    let starts = ["Files:", "Added to the repo", "processed ", "snapshot ", "skipped "]
    for prefix in resticOnlyPrefixes + starts { table[Int(prefix.utf8.first!)] = true }
    return table
  }()

  /// " 2 new,  0 changed,  0 unmodified" (not `restic diff`'s "new, removed, changed").
  static func files(_ text: Substring) -> (Int, Int, Int)? {
    let parts = text.split(separator: ",").map { $0.split(separator: " ") }
    guard parts.count == 3, parts.allSatisfy({ $0.count == 2 }),
      parts.map({ $0[1] }) == ["new", "changed", "unmodified"],
      let new = Int(parts[0][0]), let changed = Int(parts[1][0]), let same = Int(parts[2][0])
    else { return nil }
    return (new, changed, same)
  }

  /// A size or a time as the log wrote it, made safe for the subject and
  /// the summary: log text, never obeyed ("1.204 GiB" is 9 characters).
  static func shown(_ text: String) -> String { text.sanitizedForDisplay(maxLength: 40) }

  static func after(_ text: String, _ prefixes: [String]) -> Substring? {
    for prefix in prefixes where text.hasPrefix(prefix) {
      return text.dropFirst(prefix.count)
    }
    return nil
  }

  static func isHex(_ s: Substring) -> Bool {
    s.count >= 8 && s.count <= 64
      && s.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
  }

  /// `{"message_type":"summary",...}`: restic's `--json` summary.
  mutating func addJSON(_ line: ArraySlice<UInt8>) {
    guard let object = FlatJSON.parse(line), case .string(let type)? = object["message_type"]
    else { return }
    sawRestic = true
    guard type == "summary" else { return }
    var s = ResticSummary()
    func int(_ key: String) -> Int? {
      if case .number(let n)? = object[key], n >= 0, n < 1e15 { return Int(n) }
      return nil
    }
    if case .string(let id)? = object["snapshot_id"], Self.isHex(Substring(id)) {
      s.snapshotID = String(id.prefix(8))
    }
    s.filesNew = int("files_new")
    s.filesChanged = int("files_changed")
    s.filesUnmodified = int("files_unmodified")
    s.added = int("data_added").map { ResticSummary.formatBytes(UInt64($0)) }
    s.stored = int("data_added_packed").map { ResticSummary.formatBytes(UInt64($0)) }
    s.processedFiles = int("total_files_processed")
    s.processedSize = int("total_bytes_processed").map { ResticSummary.formatBytes(UInt64($0)) }
    if case .number(let seconds)? = object["total_duration"], seconds >= 0, seconds < 1e9 {
      s.duration = formatDuration(seconds)
    }
    if case .bool(true)? = object["dry_run"] { return }
    summary = s
  }
}

extension StringProtocol {
  fileprivate var trimmed: String {
    String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
  }
}
