import NotifyUnitCore
import NotifyUnitSystem

/// Reports the runs the machine stopped under: a start that `notify-unit
/// start` recorded in an earlier boot and no report removed. Each is
/// reported once, by whichever notify-unit of its user comes first after
/// the boot (a report, a flush, the boot-time flush), as a failure with the
/// verdict `interrupted`, on mail (MAIL_TO) and on the check `start` pinged.
public struct InterruptedRuns {
  public var settings: Settings
  public var log: (String) -> Void

  public init(settings: Settings, log: @escaping (String) -> Void = say) {
    self.settings = settings
    self.log = log
  }

  /// Reports every interrupted run of the state directory; the worst status.
  public func report(stateDirectory: String, bootID: String? = RunStarts.currentBootID())
    -> ExitStatus
  {
    guard let bootID else { return .delivered }
    let starts = RunStarts(directory: stateDirectory)
    var status = ExitStatus.delivered
    for start in starts.interrupted(currentBootID: bootID) where starts.claim(start) {
      log(
        "\(start.unit.sanitizedForDisplay(maxLength: 100)): the run \(start.invocationID) started in an earlier boot and never reported: reported as interrupted"
      )
      if let pipeline = pipeline(for: start) { status = max(status, pipeline.run()) }
    }
    return status
  }

  /// The interrupted run's report: the log the journal kept of it (if it
  /// is persistent), no unit status (systemd knows only this boot).
  func pipeline(for start: RunStarts.Start) -> ReportPipeline? {
    var settings = settings
    // Nothing is still being written to a run of an earlier boot.
    settings.journalSettle = 0
    let renderer = LogRenderer(zone: .local)
    var channels: [Channel] = []
    if !settings.mailTo.isEmpty {
      channels.append(MailChannel(settings: settings, renderer: renderer, log: log))
    }
    if let url = start.pingURL {
      do throws(ConfigurationError) {
        channels.append(
          HealthchecksChannel(target: try PingTarget(check: url), settings: settings, log: log))
      } catch {
        log("the check recorded for \(start.unit.sanitizedForDisplay(maxLength: 100)): \(error)")
      }
    }
    guard !channels.isEmpty else {
      log(
        "nothing to deliver the interrupted run of \(start.unit.sanitizedForDisplay(maxLength: 100)) to (MAIL_TO, or a CHECK at its start)"
      )
      return nil
    }
    var pipeline = ReportPipeline(
      unit: start.unit, settings: settings, outcomeSource: InterruptedOutcomeSource(start: start),
      logCollector: JournalLogCollector(settings: settings, renderer: renderer, log: log),
      channels: channels, log: log)
    pipeline.renderer = renderer
    pipeline.deliversEarlierReports = false
    return pipeline
  }
}

/// The outcome of a run the machine stopped under: none of systemd's, its
/// invocation and start as `notify-unit start` recorded them.
struct InterruptedOutcomeSource: OutcomeSource {
  var start: RunStarts.Start
  var isHandler: Bool { false }

  func context(for unit: String, deadline: Deadline) -> RunContext {
    var context = RunContext(
      origin: .afterReboot, outcome: RunOutcome(result: nil, mainProcess: nil),
      invocationID: start.invocationID, status: nil,
      notes: [
        "The run started in an earlier boot and never reported: the machine stopped (power loss, a crash or a reset) before the run ended."
      ])
    context.interruption = Interruption(startedAt: start.time, bootID: start.bootID)
    return context
  }
}
