/// The rules that turn a successful run into a warning when it looks wrong
/// next to the unit's recent runs (or, for two of them, by itself). The
/// names are the values of ANOMALIES and of the metrics' `anomaly` label.
public enum AnomalyKind: String, Sendable, Equatable, CaseIterable {
  /// It ran far longer than usual.
  case longRun = "long-run"
  /// restic processed far fewer files, or bytes, than usual (a missing
  /// mount, a broken includes list).
  case fewFiles = "few-files"
  case fewBytes = "few-bytes"
  /// restic added far more than usual.
  case largeAdded = "large-added"
  /// The diff removed many files.
  case manyRemoved = "many-removed"
  /// Nothing changed in the last backups.
  case nothingChanged = "nothing-changed"
  /// An include matched nothing (restic still exits 0).
  case unmatchedInclude = "unmatched-include"

  /// Whether the rule compares with earlier runs (and needs ANOMALY_MIN_RUNS
  /// of them).
  var needsHistory: Bool {
    switch self {
    case .longRun, .fewFiles, .fewBytes, .largeAdded: true
    case .manyRemoved, .nothingChanged, .unmatchedInclude: false
    }
  }
}

/// One rule that fired: which, and the sentence that says why, with the
/// figures it compared.
public struct Anomaly: Sendable, Equatable {
  public var kind: AnomalyKind
  public var reason: String

  public init(_ kind: AnomalyKind, _ reason: String) {
    self.kind = kind
    self.reason = reason
  }
}

/// The rules' thresholds (settings ANOMALIES and ANOMALY_*, per unit).
public struct AnomalyThresholds: Sendable, Equatable {
  public var enabled = Set(AnomalyKind.allCases)
  /// Earlier successful runs needed before a rule compares with them.
  public var minRuns = 5
  /// long-run: over this many times the median duration, and at least
  /// `durationMargin` seconds more.
  public var durationFactor = 3.0
  public static let durationMargin = 600.0
  /// few-files, few-bytes: under this share of the median.
  public var processedShare = 0.5
  /// large-added: over this many times the median, and at least
  /// `addedMargin` bytes more.
  public var addedFactor = 10.0
  public static let addedMargin: UInt64 = 64 << 20
  /// many-removed: over this share of the last snapshot's files, or at
  /// least `removedFiles`.
  public var removedShare = 0.05
  public var removedFiles = 1000
  /// nothing-changed: this many backups in a row with no new or changed file.
  public var unchangedRuns = 7
  /// The earlier runs a median is taken over.
  public static let baselineRuns = 20

  public init() {}
}

/// The anomaly rules: pure functions of a run, the unit's earlier runs and
/// the thresholds.
public enum AnomalyRules {
  /// What a successful run's figures show. `run` is the run as its history
  /// entry will keep it; `earlier` the unit's history, oldest first;
  /// `unmatched` the includes restic said match nothing (the first few) and
  /// how many there were. Returns the rules that fired, in the order of
  /// `AnomalyKind`, and a note when rules had too few runs to compare with.
  public static func evaluate(
    run: RunHistoryEntry, earlier: [RunHistoryEntry], unmatched: [String] = [],
    unmatchedCount: Int = 0, thresholds t: AnomalyThresholds
  ) -> (anomalies: [Anomaly], note: String?) {
    guard run.verdict.isUp else { return ([], nil) }
    let succeeded = earlier.filter { $0.verdict.isUp }
    let baseline = Array(succeeded.suffix(AnomalyThresholds.baselineRuns))
    var found: [Anomaly] = []
    let compares = baseline.count >= max(1, t.minRuns)
    func on(_ kind: AnomalyKind) -> Bool {
      t.enabled.contains(kind) && (!kind.needsHistory || compares)
    }

    if on(.longRun), let d = run.duration,
      let usual = median(baseline.compactMap(\.duration)),
      d > usual * t.durationFactor, d - usual >= AnomalyThresholds.durationMargin
    {
      found.append(
        Anomaly(
          .longRun,
          "it ran \(roughDuration(d)), over \(factor(t.durationFactor)) the usual \(roughDuration(usual))"
        ))
    }
    // This run's figure and the median of the baseline's, from restic's summary.
    func figures(_ figure: (ResticSummary) -> UInt64?) -> (UInt64, Double)? {
      guard let n = run.restic.flatMap(figure),
        let usual = median(baseline.compactMap { $0.restic.flatMap(figure).map { Double($0) } })
      else { return nil }
      return (n, usual)
    }
    let processed: [(AnomalyKind, (ResticSummary) -> UInt64?, (UInt64) -> String)] = [
      (.fewFiles, { $0.processedFiles.map { UInt64($0) } }, { "\($0) files" }),
      (.fewBytes, \.processedBytes, ResticSummary.formatBytes),
    ]
    for (kind, figure, shown) in processed where on(kind) {
      guard let (n, usual) = figures(figure), usual > 0, Double(n) < usual * t.processedShare
      else { continue }
      let usualShown = kind == .fewFiles ? String(Int(usual)) : shown(UInt64(usual))
      found.append(
        Anomaly(
          kind,
          "restic processed \(shown(n)), under \(share(t.processedShare)) of the usual \(usualShown)"
        ))
    }
    if on(.largeAdded), let (n, usual) = figures(\.addedBytes), Double(n) > usual * t.addedFactor,
      Double(n) - usual >= Double(AnomalyThresholds.addedMargin)
    {
      found.append(
        Anomaly(
          .largeAdded,
          "restic added \(ResticSummary.formatBytes(n)), over \(factor(t.addedFactor)) the usual \(ResticSummary.formatBytes(UInt64(usual)))"
        ))
    }
    if on(.manyRemoved), let diff = run.diff, diff.removed > 0 {
      // The files of the snapshot compared with: the last run's, else this
      // one's before the diff's changes.
      let before =
        succeeded.last?.restic?.processedFiles
        ?? run.restic?.processedFiles.map { max(0, $0 + diff.removed - diff.added) }
      let fraction = before.flatMap { $0 > 0 ? Double(diff.removed) / Double($0) : nil }
      if diff.removed >= t.removedFiles || (fraction ?? 0) > t.removedShare {
        let of = fraction.map { ", \(percent($0)) of the last snapshot's \(before ?? 0)" } ?? ""
        found.append(Anomaly(.manyRemoved, "restic diff: \(diff.removed) files removed\(of)"))
      }
    }
    if on(.nothingChanged), t.unchangedRuns > 0, unchanged(run) {
      let before = succeeded.filter { $0.restic != nil }.suffix(t.unchangedRuns - 1)
      if before.count == t.unchangedRuns - 1, before.allSatisfy(unchanged) {
        found.append(
          Anomaly(
            .nothingChanged,
            "nothing changed in the last \(t.unchangedRuns) backups (no file new or changed)"))
      }
    }
    if on(.unmatchedInclude), unmatchedCount > 0 {
      let shown = unmatched.map { "\"\($0)\"" }.joined(separator: ", ")
      let more = unmatchedCount > unmatched.count ? ", …" : ""
      found.append(
        Anomaly(
          .unmatchedInclude,
          unmatchedCount == 1
            ? "restic: the include \(shown) matches no file"
            : "restic: \(unmatchedCount) includes match no file: \(shown)\(more)"))
    }

    var note: String? = nil
    let waiting = AnomalyKind.allCases.filter { $0.needsHistory && t.enabled.contains($0) }
    if !compares, !waiting.isEmpty {
      note =
        "The anomaly rules compare a run with the unit's earlier successful runs once there are \(t.minRuns) (ANOMALY_MIN_RUNS); there \(baseline.count == 1 ? "is 1" : "are \(baseline.count)") so far."
    }
    return (found, note)
  }

  /// A backup that found nothing new or changed.
  static func unchanged(_ e: RunHistoryEntry) -> Bool {
    guard let r = e.restic, let new = r.filesNew, let changed = r.filesChanged else { return false }
    return new == 0 && changed == 0
  }

  /// The median of `values`; nil when there are none.
  public static func median(_ values: [Double]) -> Double? {
    guard !values.isEmpty else { return nil }
    let sorted = values.sorted()
    let mid = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
  }

  static func factor(_ x: Double) -> String {
    x == x.rounded() ? "\(Int(x))×" : "\(x)×"
  }

  static func share(_ x: Double) -> String {
    x == 0.5 ? "half" : percent(x)
  }

  static func percent(_ x: Double) -> String {
    let p = (x * 1000).rounded() / 10
    return p == p.rounded() ? "\(Int(p)) %" : "\(p) %"
  }
}
