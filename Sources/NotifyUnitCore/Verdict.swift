/// What a run's end means to the people told about it: one classification
/// that every channel uses (the README's outcome table). systemd's result
/// says how the unit ended; the verdict says whether someone must act.
public enum Verdict: String, Sendable, Equatable, CaseIterable {
  /// SERVICE_RESULT=success, the main process exited 0 (or was not asked).
  case success
  /// A success whose main process exited with a non-zero status that
  /// `SuccessExitStatus=` allows (restic's 3: some files could not be read).
  case warning
  /// SERVICE_RESULT=exec-condition: the job decided not to run.
  case skipped
  /// Every other result, and an unknown one.
  case failure
  /// A run that started and never finished: the machine stopped under it.
  case interrupted

  /// Reported to Healthchecks as up (warnings carry their note in the body).
  public var isUp: Bool { self == .success || self == .warning }
  /// Someone should look: a failure, or a run cut by the machine stopping.
  public var isFailure: Bool { self == .failure || self == .interrupted }

  /// The sign a subject and a title start with.
  public var icon: String {
    switch self {
    case .success: "💚"
    case .warning: "⚠️"
    case .skipped: "⏭️"
    case .failure, .interrupted: "⛔"
    }
  }
}

extension RunOutcome {
  /// The verdict on this outcome (an interruption is found elsewhere: the
  /// run never reported, so no outcome of systemd's says it).
  public var verdict: Verdict {
    switch result {
    case .success?:
      if case .exited(let status)? = mainProcess, status != 0 { return .warning }
      return .success
    case .execCondition?: return .skipped
    default: return .failure
    }
  }
}
