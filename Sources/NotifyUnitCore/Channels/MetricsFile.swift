/// One unit's metrics for node_exporter's textfile collector
/// (PROMETHEUS_TEXTFILE_DIRECTORY), in Prometheus' text format: base units,
/// `notify_unit_` names, timestamps rather than ages, the unit as a label
/// (prometheus.md). No sample carries a timestamp of its own: node_exporter
/// skips a whole file that does.
public struct MetricsFile: Sendable {
  public var unit: String
  public var facts: RunFacts
  /// Microseconds since the epoch; nil when the unit has never had one.
  public var lastSuccess: UInt64?
  public var lastFailure: UInt64?
  /// Each channel's last result: true when it was delivered or kept
  /// nothing undelivered (by channel name).
  public var deliveryFailed: [String: Bool]
  /// Reports of this unit waiting in the spool, by channel name.
  public var spooled: [String: Int]
  /// Failed runs in a row up to this one (0 after a success).
  public var consecutiveFailures: UInt64 = 0
  /// When the unit's last run was skipped (ExecCondition=), which changes
  /// no outcome: `facts` are then the run before it's (`keepingOutcome`).
  public var lastSkipped: UInt64? = nil

  public init(
    facts: RunFacts, lastSuccess: UInt64?, lastFailure: UInt64?, deliveryFailed: [String: Bool],
    spooled: [String: Int]
  ) {
    self.unit = facts.unit
    self.facts = facts
    self.lastSuccess = lastSuccess
    self.lastFailure = lastFailure
    self.deliveryFailed = deliveryFailed
    self.spooled = spooled
  }

  /// A label value: backslash, double quote and line feed escaped.
  public static func label(_ value: String) -> String {
    var out = ""
    for c in value.unicodeScalars {
      switch c {
      case "\\": out += "\\\\"
      case "\"": out += "\\\""
      case "\n": out += "\\n"
      default: out.unicodeScalars.append(c)
      }
    }
    return out
  }

  static func seconds(_ usec: UInt64) -> String {
    let whole = usec / 1_000_000
    let frac = usec % 1_000_000
    guard frac > 0 else { return String(whole) }
    var digits = String(frac)
    digits = String(repeating: "0", count: 6 - digits.count) + digits
    while digits.last == "0" { digits.removeLast() }
    return "\(whole).\(digits)"
  }

  /// The file's text.
  public var text: String {
    let u = "unit=\"\(Self.label(unit))\""
    var out = ""
    func family(_ name: String, _ type: String, _ help: String, _ samples: [(String, String)]) {
      guard !samples.isEmpty else { return }
      out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
      for (labels, value) in samples { out += "\(name){\(labels)} \(value)\n" }
    }
    let runTime = facts.finished ?? facts.reportedAt
    family(
      "notify_unit_last_run_timestamp_seconds", "gauge",
      "Unix time the unit's last reported run ended.",
      [(u, Self.seconds(runTime))])
    family(
      "notify_unit_last_success_timestamp_seconds", "gauge",
      "Unix time the unit's last successful run (success or warning) ended.",
      lastSuccess.map { [(u, Self.seconds($0))] } ?? [])
    family(
      "notify_unit_last_failure_timestamp_seconds", "gauge",
      "Unix time the unit's last failed or interrupted run ended.",
      lastFailure.map { [(u, Self.seconds($0))] } ?? [])
    family(
      "notify_unit_last_run_success", "gauge",
      "1 when the unit's last run succeeded (success or warning), else 0.",
      // A unit whose only runs were skipped has no outcome to tell.
      facts.verdict == .skipped ? [] : [(u, facts.verdict.isUp ? "1" : "0")])
    family(
      "notify_unit_last_run_outcome", "gauge",
      "1 for the verdict of the unit's last run (success, warning, skipped, failure, interrupted), 0 for the others.",
      Verdict.allCases.map { (u + ",outcome=\"\($0.rawValue)\"", facts.verdict == $0 ? "1" : "0") })
    family(
      "notify_unit_last_skipped_timestamp_seconds", "gauge",
      "Unix time the unit's last run ended, when it was skipped (ExecCondition=): a skipped run changes none of the other samples.",
      lastSkipped.map { [(u, Self.seconds($0))] } ?? [])
    family(
      "notify_unit_last_run_duration_seconds", "gauge",
      "How long the unit's last run took, from its main process's start to its exit.",
      facts.durationSeconds.map { [(u, JSON.number(($0 * 1000).rounded() / 1000))] } ?? [])
    family(
      "notify_unit_consecutive_failures", "gauge",
      "Failed runs of the unit in a row up to its last run (0 after a success), as ALERT_AFTER counts them.",
      [(u, String(consecutiveFailures))])
    family(
      "notify_unit_last_delivery_failed", "gauge",
      "1 when the last report could not be delivered on the channel (kept in the spool or lost), else 0.",
      deliveryFailed.keys.sorted().map {
        (u + ",channel=\"\(Self.label($0))\"", deliveryFailed[$0]! ? "1" : "0")
      })
    family(
      "notify_unit_spool_entries", "gauge",
      "Reports of the unit waiting in the spool for the next run or flush, by channel.",
      spooled.keys.sorted().map { (u + ",channel=\"\(Self.label($0))\"", String(spooled[$0]!)) })
    return out
  }
}
