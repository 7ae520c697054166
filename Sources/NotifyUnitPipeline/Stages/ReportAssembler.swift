import NotifyUnitCore
import NotifyUnitSystem

/// The pipeline's third stage: the report, from the run's context and its
/// log. The invocation is the flag's, else the one systemd named, else the
/// unit's latest; a bad flag is not replaced by another run's log.
public struct ReportAssembler {
  public var unit: String
  /// `--invocation-id`, as given.
  public var invocationFlag: String?
  /// Log bytes the report keeps: enough for the mail body and the ping.
  public var tailCapacityBytes: Int
  public var host: String
  public var renderer: LogRenderer
  public var log: (String) -> Void

  public init(
    unit: String, invocationFlag: String?, tailCapacityBytes: Int, host: String,
    renderer: LogRenderer, log: @escaping (String) -> Void = say
  ) {
    self.unit = unit
    self.invocationFlag = invocationFlag
    self.tailCapacityBytes = tailCapacityBytes
    self.host = host
    self.renderer = renderer
    self.log = log
  }

  /// The finished report, and `.usage` when the flag was not an invocation ID.
  public func assemble(
    context: RunContext, collector: LogCollector, archive: LogArchive?, deadline: Deadline,
    now: UInt64
  ) -> (Report, ExitStatus) {
    var status = ExitStatus.delivered
    var notes = context.notes
    var invocation: String? = nil
    var lookUpLatest = true
    if let flag = invocationFlag {
      invocation = normalizedInvocationID(flag)
      if invocation == nil {
        log(
          "--invocation-id: \"\(flag.sanitizedForDisplay(maxLength: 40))\" is not a 32-digit invocation ID"
        )
        notes.append("--invocation-id was not a valid invocation ID: the report has no log.")
        status = .usage
      }
      lookUpLatest = false
    } else if let id = context.invocationID, !id.isEmpty {
      invocation = normalizedInvocationID(id)
      if invocation == nil {
        // Never the unit's latest run in its place: that may be another run.
        let variable =
          switch context.origin {
          case .onFailureMonitor: "MONITOR_INVOCATION_ID"
          case .execStopPost: "INVOCATION_ID"
          default: "the invocation ID"
          }
        log(
          Priority.error.tag(
            "\(variable): \"\(id.sanitizedForDisplay(maxLength: 40))\" is not a 32-digit invocation ID: the report has no log (run it from the unit, or give --invocation-id)"
          ))
        notes.append("\(variable) was not a valid invocation ID: the report has no log.")
        status = .configProblem
        lookUpLatest = false
      }
    }
    var journalProblem: String? = nil
    if invocation == nil, lookUpLatest {
      if let latest = collector.latestInvocation(of: unit) {
        invocation = latest
        notes.append(
          "No invocation ID was given: this is the unit's latest invocation in the journal.")
      } else if let problem = collector.journalProblem() {
        // The journal cannot name it: systemd can (over D-Bus).
        journalProblem = problem
        if let id = context.status?.invocationID.flatMap(normalizedInvocationID) {
          invocation = id
          notes.append(
            "No invocation ID was given and the journal could not be opened: this is the unit's latest invocation as systemd names it."
          )
        }
      }
    }

    var report = Report(
      unit: unit, host: host, outcome: context.outcome, invocationID: invocation,
      tailCapacityBytes: tailCapacityBytes, createdAt: now)
    report.notes = notes
    report.status = context.status
    report.source = context.origin.description
    report.interruption = context.interruption

    if let invocation {
      collector.collect(invocation, unit: unit, into: &report, archive: archive, deadline: deadline)
    } else if let journalProblem {
      report.notes.append(
        "The journal could not be opened (\(journalProblem)): the report has no log and no invocation."
      )
      log("the journal could not be opened: \(journalProblem)")
    } else {
      report.notes.append(
        "No invocation of \(unit.sanitizedForDisplay(maxLength: 100)) was found: the report has no log."
      )
    }
    if report.startRefused, report.outcome.result != .startLimitHit {
      // systemd gave up restarting the failed run, or refused a start of
      // the failed unit: the unit keeps the run's result, the refusal is
      // the news.
      report.notes.append(
        "systemd refused to start the unit again after this run (\"Start request repeated too quickly\"); the unit's result stays the run's: \(report.outcome.resultWord)."
      )
      report.outcome.result = .startLimitHit
    }
    report.finish(renderer: renderer)
    return (report, status)
  }
}
