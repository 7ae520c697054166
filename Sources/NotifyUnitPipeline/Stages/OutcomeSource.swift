import NotifyUnitCore
import NotifyUnitSystem

/// What a run learns about the run it reports before reading any log: how
/// it ended, which invocation it was, and the unit's status.
public struct RunContext: Sendable {
  public var origin: OutcomeOrigin
  public var outcome: RunOutcome
  public var invocationID: String?
  public var status: UnitStatus?
  /// Sentences for the report: what could not be learned.
  public var notes: [String] = []
  /// Set for a run the machine stopped under (`InterruptedRuns`).
  public var interruption: Interruption?

  public init(
    origin: OutcomeOrigin, outcome: RunOutcome, invocationID: String?, status: UnitStatus?,
    notes: [String] = []
  ) {
    self.origin = origin
    self.outcome = outcome
    self.invocationID = invocationID
    self.status = status
    self.notes = notes
  }
}

/// The pipeline's first stage: where the outcome comes from.
public protocol OutcomeSource {
  /// Run as an OnFailure= handler: one failure, one report (see
  /// `DeliveryPolicy.handlerStaysQuiet`).
  var isHandler: Bool { get }
  func context(for unit: String, deadline: Deadline) -> RunContext
}

/// Where a run's outcome came from, as the report names it.
public enum OutcomeOrigin: Sendable, CustomStringConvertible {
  case execStopPost, onFailureMonitor, onFailureBus, byHand
  /// A run that never reported, found after the machine's next boot.
  case afterReboot

  public var description: String {
    switch self {
    case .execStopPost: "ExecStopPost= (SERVICE_RESULT)"
    case .onFailureMonitor: "OnFailure= handler (MONITOR_*)"
    case .onFailureBus: "OnFailure= handler (read from systemd over D-Bus)"
    case .byHand: "by hand"
    case .afterReboot: "the next boot (the run never reported: the machine stopped)"
    }
  }
}

/// The outcome as systemd gives it: MONITOR_* (an OnFailure= handler,
/// systemd 251+), SERVICE_RESULT (ExecStopPost=), else over D-Bus from
/// systemd itself (a handler on older systemd, or a run by hand).
/// INVOCATION_ID is used only in the ExecStopPost= case: in a handler it is
/// the handler's own.
public struct SystemdOutcomeSource: OutcomeSource {
  public var environment: [String: String]
  /// `--on-failure`: the unit named failed.
  public var onFailure: Bool
  /// False when the log comes from journal files: then this system's
  /// systemd knows nothing of the run.
  public var asksSystemd: Bool
  /// A later failed run this handler reports as well (`RestartWait
  /// .laterFailure`): its outcome and invocation as systemd recorded them,
  /// in place of MONITOR_*, which describe the run the handler was
  /// started for.
  public var followedRun: UnitStatus?
  public var log: (String) -> Void

  public init(
    environment: [String: String], onFailure: Bool, asksSystemd: Bool,
    log: @escaping (String) -> Void = say
  ) {
    self.environment = environment
    self.onFailure = onFailure
    self.asksSystemd = asksSystemd
    self.log = log
  }

  /// systemd (251+) passes MONITOR_* to OnFailure= handlers.
  public var hasMonitorVariables: Bool {
    ["MONITOR_SERVICE_RESULT", "MONITOR_INVOCATION_ID"].contains {
      !(environment[$0] ?? "").isEmpty
    }
  }

  public var isHandler: Bool { onFailure || hasMonitorVariables || followedRun != nil }

  public func context(for unit: String, deadline: Deadline) -> RunContext {
    var notes: [String] = []
    var status = unitStatus(unit, notes: &notes, deadline: deadline)
    if isHandler, let current = status {
      status = restartDecision(unit, current, deadline: deadline)
    }
    if let followedRun, let id = followedRun.invocationID {
      return RunContext(
        origin: .onFailureBus, outcome: followedRun.outcome, invocationID: id, status: status,
        notes: notes)
    }
    if hasMonitorVariables {
      if let monitored = environment["MONITOR_UNIT"], !monitored.isEmpty, monitored != unit {
        log(
          "MONITOR_UNIT is \(monitored.sanitizedForDisplay(maxLength: 100)), not \(unit.sanitizedForDisplay(maxLength: 100))"
        )
      }
      return RunContext(
        origin: .onFailureMonitor,
        outcome: RunOutcome(environment: environment, prefix: "MONITOR_"),
        invocationID: environment["MONITOR_INVOCATION_ID"], status: status, notes: notes)
    }
    if !(environment["SERVICE_RESULT"] ?? "").isEmpty {
      return RunContext(
        origin: .execStopPost, outcome: RunOutcome(environment: environment),
        invocationID: environment["INVOCATION_ID"], status: status, notes: notes)
    }
    let origin: OutcomeOrigin = onFailure ? .onFailureBus : .byHand
    if let status, status.result != nil {
      return RunContext(
        origin: origin, outcome: status.outcome, invocationID: status.invocationID,
        status: status, notes: notes)
    }
    notes.append(
      "Neither SERVICE_RESULT nor MONITOR_* was set and systemd could not be asked: the result is unknown and reported as a failure."
    )
    return RunContext(
      origin: origin, outcome: RunOutcome(result: nil, mainProcess: nil), invocationID: nil,
      status: status, notes: notes)
  }

  /// A handler's status once systemd decided on a pending restart
  /// (`RestartWait`); the status given when it is not pending.
  func restartDecision(_ unit: String, _ status: UnitStatus, deadline: Deadline) -> UnitStatus {
    guard let sub = status.subState, RestartWait.restarting.contains(sub),
      let bus = try? SystemBus(timeout: min(5, deadline.remaining / 4))
    else { return status }
    let settled = RestartWait { try? UnitStatusReader.read(unit, bus: bus) }
      .settled(status, budget: min(20, deadline.remaining / 3))
    if settled != status {
      log("\(unit.sanitizedForDisplay(maxLength: 100)): systemd did not restart it")
    }
    return settled
  }

  /// The unit's status over D-Bus; nil (with a note) offline or when the bus
  /// cannot be reached. Bounded to a few seconds of the deadline.
  func unitStatus(_ unit: String, notes: inout [String], deadline: Deadline) -> UnitStatus? {
    guard asksSystemd else {
      notes.append("No unit status: the journal was read from files, not from this system.")
      return nil
    }
    do {
      let bus = try SystemBus(timeout: min(5, deadline.remaining / 4))
      return try UnitStatusReader.read(unit, bus: bus)
    } catch {
      notes.append("No unit status: \(error).")
      log("\(error)")
      return nil
    }
  }
}
