/// What a restic backup did, from its summary: the snapshot, the files new
/// and changed, the data added (and stored, after compression), and what was
/// processed in how long. Sizes are kept as restic shows them ("1.204 GiB");
/// from `--json`, bytes are shown the way restic's text summary shows them.
public struct ResticSummary: Sendable, Equatable {
  /// The snapshot's short ID (8 hex digits); nil when none was saved.
  public var snapshotID: String?
  public var filesNew: Int?
  public var filesChanged: Int?
  public var filesUnmodified: Int?
  /// Data added to the repository, before compression.
  public var added: String?
  /// The same data as stored (restic 0.14+ text, 0.17+ JSON).
  public var stored: String?
  public var processedFiles: Int?
  public var processedSize: String?
  /// "0:05" (restic's text) or "4.2 s" (from `--json`).
  public var duration: String?

  public init() {}

  /// The subject's part: "snapshot 8c71d5e0, +1.204 GiB".
  public var headline: String {
    let snapshot = snapshotID.map { "snapshot \($0)" } ?? "no snapshot saved"
    return snapshot + (added.map { ", +\($0)" } ?? "")
  }

  /// "Label: value" lines for the report's summary.
  public var lines: [(String, String)] {
    var lines: [(String, String)] = []
    lines.append(("Snapshot", snapshotID ?? "none saved"))
    if let filesNew, let filesChanged {
      lines.append(
        (
          "Files",
          "\(filesNew) new, \(filesChanged) changed"
            + (filesUnmodified.map { ", \($0) unmodified" } ?? "")
        ))
    }
    if let added {
      lines.append(("Added", added + (stored.map { " (\($0) stored)" } ?? "")))
    }
    if processedFiles != nil || processedSize != nil || duration != nil {
      var parts: [String] = []
      if let processedFiles { parts.append("\(processedFiles) files") }
      if let processedSize { parts.append(processedSize) }
      var text = parts.joined(separator: ", ")
      if let duration { text += text.isEmpty ? duration : " in \(duration)" }
      lines.append(("Processed", text))
    }
    return lines
  }

  /// Bytes as restic's text summary shows them (ui.FormatBytes): three
  /// decimals of the largest binary unit, "12 B" below a KiB.
  public static func formatBytes(_ bytes: UInt64) -> String {
    let units: [(UInt64, String)] = [
      (1 << 40, "TiB"), (1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB"),
    ]
    for (size, name) in units where bytes >= size {
      // Rounded to thousandths in integers: exact, and no overflow.
      var whole = bytes / size
      var thousandths = ((bytes % size) * 1000 + size / 2) / size
      if thousandths == 1000 {
        whole += 1
        thousandths = 0
      }
      let fraction = String(thousandths)
      let padded = String(repeating: "0", count: 3 - fraction.count) + fraction
      return "\(whole).\(padded) \(name)"
    }
    return "\(bytes) B"
  }
}
