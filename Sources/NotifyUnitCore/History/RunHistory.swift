/// One run of a unit as its history keeps it: when it ended, how, why, how
/// long it took, how much it logged, and what restic did, for
/// `notify-unit status --history` and the anomaly rules (`AnomalyRules`).
public struct RunHistoryEntry: Sendable, Equatable {
  /// Microseconds since the epoch: when the run ended.
  public var time: UInt64
  public var verdict: Verdict
  /// systemd's result word ("exit-code").
  public var result: String
  public var invocationID: String?
  /// Seconds from the main process's start to its exit; nil when unknown.
  public var duration: Double?
  /// Log lines of the run.
  public var lines: Int
  /// restic's backup summary (counts and bytes; the shown sizes are made
  /// again from the bytes) and its diff's counts, when the log had them.
  public var restic: ResticSummary?
  public var diff: ResticDiff?
  /// The anomaly rules that fired on the run.
  public var anomalies: [AnomalyKind]
  /// The failure's or the warning's reason, as shown.
  public var reason: String?

  public init(
    time: UInt64, verdict: Verdict, result: String, invocationID: String? = nil,
    duration: Double? = nil, lines: Int = 0, restic: ResticSummary? = nil,
    diff: ResticDiff? = nil, anomalies: [AnomalyKind] = [], reason: String? = nil
  ) {
    self.time = time
    self.verdict = verdict
    self.result = result
    self.invocationID = invocationID
    self.duration = duration
    self.lines = lines
    self.restic = restic
    self.diff = diff
    self.anomalies = anomalies
    self.reason = reason
  }
}

/// A unit's run history as its file keeps it: "notify-unit-history 1",
/// then one run a line, oldest first, as space-separated `key=value` with
/// the reason last (it takes the rest of the line). Every value is shown
/// by the display rule or is digits, so none can add a line; a line that
/// does not read is skipped, never fatal.
public enum RunHistory {
  static let header = "notify-unit-history 1"

  /// Runs kept whatever their age, and at most this many of the last 90
  /// days: a job every five minutes would otherwise keep 26,000.
  public static let keptRuns = 100
  public static let keptAge: UInt64 = 90 * 86400 * 1_000_000
  public static let maxRuns = 1000
  /// The largest file read: `maxRuns` lines of at most about 1 KiB.
  public static let maxFileBytes = 1 << 20
  static let reasonCharacters = 160

  /// The entries to keep once `entry` is added to `entries`: the last
  /// `keptRuns`, and older ones of the last 90 days, up to `maxRuns`.
  public static func adding(_ entry: RunHistoryEntry, to entries: [RunHistoryEntry])
    -> [RunHistoryEntry]
  {
    var all = entries
    all.append(entry)
    let newest = all.map(\.time).max() ?? entry.time
    let cutoff = newest > keptAge ? newest - keptAge : 0
    var kept: [RunHistoryEntry] = []
    for (index, e) in all.enumerated().reversed() {
      guard kept.count < maxRuns else { break }
      if all.count - index <= keptRuns || e.time >= cutoff { kept.append(e) }
    }
    return kept.reversed()
  }

  /// The file's text.
  public static func formatted(_ entries: [RunHistoryEntry]) -> String {
    var text = header + "\n"
    for e in entries { text += line(e) + "\n" }
    return text
  }

  static func line(_ e: RunHistoryEntry) -> String {
    var fields = ["time=\(e.time)", "verdict=\(e.verdict.rawValue)", "result=\(word(e.result))"]
    if let id = e.invocationID { fields.append("invocation=\(word(id))") }
    if let d = e.duration { fields.append("duration-ms=\(UInt64(min(max(0, d), 1e12) * 1000))") }
    fields.append("lines=\(e.lines)")
    if let r = e.restic {
      if let id = r.snapshotID { fields.append("snapshot=\(word(id))") }
      let counts: [(String, Int?)] = [
        ("files-new", r.filesNew), ("files-changed", r.filesChanged),
        ("files-unmodified", r.filesUnmodified), ("processed-files", r.processedFiles),
      ]
      for (key, value) in counts { if let value { fields.append("\(key)=\(value)") } }
      let bytes: [(String, UInt64?)] = [
        ("added-bytes", r.addedBytes), ("stored-bytes", r.storedBytes),
        ("processed-bytes", r.processedBytes),
      ]
      for (key, value) in bytes { if let value { fields.append("\(key)=\(value)") } }
      if r.snapshotID == nil { fields.append("restic=yes") }
    }
    if let d = e.diff {
      fields += ["diff-added=\(d.added)", "diff-removed=\(d.removed)", "diff-changed=\(d.changed)"]
    }
    if !e.anomalies.isEmpty {
      fields.append("anomalies=" + e.anomalies.map(\.rawValue).joined(separator: ","))
    }
    if let reason = e.reason {
      fields.append("reason=" + reason.sanitizedForDisplay(maxLength: reasonCharacters))
    }
    return fields.joined(separator: " ")
  }

  /// A value that must stay one field: shown safe, spaces as "_".
  static func word(_ s: String) -> String {
    String(s.sanitizedForDisplay(maxLength: 64).map { $0 == " " ? "_" : $0 })
  }

  /// The entries of a history file's text, oldest first, and how many lines
  /// did not read; nil when it is not a history file.
  public static func parse(_ text: String) -> (entries: [RunHistoryEntry], unreadable: Int)? {
    let lines = text.utf8.split(separator: 0x0A)
    guard let first = lines.first, first.elementsEqual(header.utf8) else { return nil }
    var entries: [RunHistoryEntry] = []
    var unreadable = 0
    for line in lines.dropFirst() {
      if let e = entry(line) { entries.append(e) } else { unreadable += 1 }
    }
    return (entries, unreadable)
  }

  static func entry(_ line: Substring.UTF8View) -> RunHistoryEntry? {
    var values: [String: String] = [:]
    var rest = line[...]
    while !rest.isEmpty {
      guard let eq = rest.firstIndex(of: UInt8(ascii: "=")) else { return nil }
      let key = String(decoding: rest[..<eq], as: UTF8.self)
      let afterEq = rest.index(after: eq)
      if key == "reason" {
        values[key] = String(decoding: rest[afterEq...], as: UTF8.self)
        break
      }
      let end = rest[afterEq...].firstIndex(of: 0x20) ?? rest.endIndex
      values[key] = String(decoding: rest[afterEq..<end], as: UTF8.self)
      rest = end == rest.endIndex ? rest[end...] : rest[rest.index(after: end)...]
    }
    func count(_ key: String) -> Int? { values[key].flatMap { decimalCount($0.utf8) } }
    // Digits only (UInt64("+5") takes a sign), the whole 64 bits: a time or
    // a size past Int.max reads back as written, or not at all.
    func bytes(_ key: String) -> UInt64? {
      values[key].flatMap { v in v.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } ? UInt64(v) : nil }
    }
    guard let time = bytes("time"), let verdict = values["verdict"].flatMap(Verdict.init),
      let result = values["result"]
    else { return nil }
    var e = RunHistoryEntry(
      time: time, verdict: verdict, result: result, invocationID: values["invocation"],
      duration: count("duration-ms").map { Double($0) / 1000 }, lines: count("lines") ?? 0)
    if values["snapshot"] != nil || values["restic"] == "yes" {
      var r = ResticSummary()
      r.snapshotID = values["snapshot"]
      r.filesNew = count("files-new")
      r.filesChanged = count("files-changed")
      r.filesUnmodified = count("files-unmodified")
      r.processedFiles = count("processed-files")
      r.addedBytes = bytes("added-bytes")
      r.storedBytes = bytes("stored-bytes")
      r.processedBytes = bytes("processed-bytes")
      r.added = r.addedBytes.map(ResticSummary.formatBytes)
      r.stored = r.storedBytes.map(ResticSummary.formatBytes)
      r.processedSize = r.processedBytes.map(ResticSummary.formatBytes)
      e.restic = r
    }
    if let added = count("diff-added"), let removed = count("diff-removed"),
      let changed = count("diff-changed")
    {
      e.diff = ResticDiff(added: added, removed: removed, changed: changed)
    }
    e.anomalies = (values["anomalies"] ?? "").split(separator: ",").compactMap {
      AnomalyKind(rawValue: String($0))
    }
    e.reason = values["reason"]
    return e
  }
}
