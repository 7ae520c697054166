/// The facts of a run every machine-read channel sends (the webhook's JSON,
/// the metrics), taken from the report once, so they cannot disagree.
public struct RunFacts: Sendable, Equatable {
  public var unit: String
  public var host: String
  /// systemd's SERVICE_RESULT word ("exit-code"), "unknown" when unset.
  public var result: String
  public var verdict: Verdict
  public var invocation: String?
  /// EXIT_CODE: exited, killed or dumped; nil when the main process did not run.
  public var exitCode: String?
  /// EXIT_STATUS: a number, or a signal's name.
  public var exitStatus: String?
  /// Microseconds since the epoch: the main process's start and exit as
  /// systemd has them, else the first and last log line's time.
  public var started: UInt64?
  public var finished: UInt64?
  public var reason: String?
  public var notes: [String]
  /// When the report was made: the run's time when nothing else says it.
  public var reportedAt: UInt64

  public init(report: Report) {
    unit = report.unit.sanitizedForDisplay(maxLength: 256)
    host = report.host.sanitizedForDisplay(maxLength: 256)
    result = report.outcome.resultWord
    verdict = report.verdict
    invocation = report.invocationID
    switch report.outcome.mainProcess {
    case .exited(let status)?: (exitCode, exitStatus) = ("exited", String(status))
    case .killed(let signal)?: (exitCode, exitStatus) = ("killed", signal)
    case .dumped(let signal)?: (exitCode, exitStatus) = ("dumped", signal)
    case .unrecognised(let code, let status)?:
      (exitCode, exitStatus) = (code.isEmpty ? nil : code, status.isEmpty ? nil : status)
    case nil: (exitCode, exitStatus) = (nil, nil)
    }
    started = report.status?.execMainStart.flatMap { $0 > 0 ? $0 : nil } ?? report.firstTimestamp
    finished = report.status?.execMainExit.flatMap { $0 > 0 ? $0 : nil } ?? report.lastTimestamp
    reason = report.reason
    notes = report.notes.map { $0.sanitizedForDisplay(maxLength: 600) }
    reportedAt = report.createdAt
  }

  /// From start to exit, in seconds; nil when either is unknown.
  public var durationSeconds: Double? {
    guard let started, let finished, finished >= started else { return nil }
    return Double(finished - started) / 1_000_000
  }
}
