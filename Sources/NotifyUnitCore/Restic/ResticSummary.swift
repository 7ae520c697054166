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
  /// The sizes above in bytes, for the run history and its rules: exact
  /// from `--json`, read back from the text's three decimals otherwise.
  public var addedBytes: UInt64?
  public var storedBytes: UInt64?
  public var processedBytes: UInt64?

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

  /// The bytes a size as restic's text shows it stands for ("1.204 GiB":
  /// 1,292,785,156): within a thousandth of its unit. Nil when it is not
  /// such a size; a value too large for 64 bits saturates.
  public static func bytes(shown text: String) -> UInt64? {
    let parts = text.split(separator: " ")
    guard parts.count == 2, let unit = byteUnits[String(parts[1])] else { return nil }
    let number = parts[0].split(separator: ".", omittingEmptySubsequences: false)
    guard number.count <= 2,
      let whole = number.first.flatMap({ decimalCount($0.utf8) }).map(UInt64.init)
    else {
      return nil
    }
    var fraction: UInt64 = 0
    var scale: UInt64 = 1
    if number.count == 2 {
      let digits = number[1].utf8
      guard (1...3).contains(digits.count), let f = decimalCount(digits) else { return nil }
      fraction = UInt64(f)
      for _ in digits { scale *= 10 }
    }
    let (product, overflow) = whole.multipliedReportingOverflow(by: unit)
    guard !overflow else { return .max }
    let (sum, over) = product.addingReportingOverflow(fraction * unit / scale)
    return over ? .max : sum
  }

  static let byteUnits: [String: UInt64] = [
    "B": 1, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30, "TiB": 1 << 40, "PiB": 1 << 50,
  ]

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
