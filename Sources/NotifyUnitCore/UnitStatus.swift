/// What systemd knows about a unit (what `systemctl status` shows), as read
/// over D-Bus: the status part of a report. Every field is optional, since
/// older systemd versions and unloaded units lack some.
public struct UnitStatus: Sendable, Equatable {
  public var description: String?
  public var activeState: String?
  public var subState: String?
  public var result: String?
  public var invocationID: String?
  public var mainPID: UInt32?
  /// NRestarts: automatic restarts (Restart=) since the last start by hand.
  public var restarts: UInt32?
  /// How long systemd waits before an automatic restart (RestartUSecNext,
  /// 254+, else RestartUSec), microseconds.
  public var restartDelay: UInt64?
  /// ExecMainCode: 1 exited, 2 killed, 3 dumped (CLD_* of waitid(2)).
  public var execMainCode: Int32?
  public var execMainStatus: Int32?
  /// Microseconds since the epoch.
  public var execMainStart: UInt64?
  public var execMainExit: UInt64?
  public var cpuUsageNanoseconds: UInt64?
  public var memoryPeakBytes: UInt64?
  public var memoryCurrentBytes: UInt64?
  public var ioReadBytes: UInt64?
  public var ioWriteBytes: UInt64?
  /// The unit's ExecStopPost= commands, and how each last ran.
  public var execStopPost: [ExecCommandRun] = []

  public init() {}

  /// The outcome systemd recorded for the unit's last run: what an
  /// `OnFailure=` handler reports when systemd (before 251) gives it no
  /// MONITOR_* variables.
  public var outcome: RunOutcome {
    let exit: MainProcessExit?
    switch (execMainCode, execMainStatus) {
    case (1?, let status?): exit = .exited(status: Int(status))
    case (2?, let signal?): exit = .killed(signal: Signals.name(Int(signal)))
    case (3?, let signal?): exit = .dumped(signal: Signals.name(Int(signal)))
    default: exit = nil
    }
    return RunOutcome(
      result: result.flatMap { $0.isEmpty ? nil : ServiceResult(rawValue: $0) }, mainProcess: exit)
  }

  /// True when the last run's ExecStopPost= ran notify-unit and it exited
  /// 0: that run is reported already, and an OnFailure= handler stays quiet
  /// (one failure, one report). Not when it did not run (start-limit-hit),
  /// could not start (a missing User=) or could not deliver (exit 69/75).
  public var reportedByExecStopPost: Bool {
    execStopPost.contains { run in
      run.path.hasSuffix("/notify-unit") && run.exitRealtime > 0 && run.code == 1
        && run.status == 0 && run.startRealtime >= (execMainStart ?? 0)
    }
  }

  /// True when the unit's ExecStopPost= runs notify-unit.
  public var hasExecStopPostReporter: Bool {
    execStopPost.contains { $0.path.hasSuffix("/notify-unit") }
  }

  /// Lines for the report's status part, "Label: value", only what is known.
  public func summaryLines(renderer: LogRenderer) -> [(String, String)] {
    var lines: [(String, String)] = []
    if let d = description { lines.append(("Description", d.sanitizedForDisplay())) }
    if let a = activeState {
      lines.append(("State", a + (subState.map { " (\($0))" } ?? "")))
    }
    if let r = result { lines.append(("Unit result", r.sanitizedForDisplay(maxLength: 64))) }
    if let pid = mainPID, pid != 0 { lines.append(("Main PID", String(pid))) }
    if let start = execMainStart, start > 0 {
      lines.append(("Started", renderer.timestamp(start)))
      if let end = execMainExit, end >= start {
        lines.append(("Ended", renderer.timestamp(end)))
        lines.append(("Ran for", formatDuration(Double(end - start) / 1_000_000)))
      }
    }
    if let cpu = cpuUsageNanoseconds {
      lines.append(("CPU time", formatDuration(Double(cpu) / 1e9)))
    }
    if let peak = memoryPeakBytes {
      lines.append(("Memory peak", formatBytes(peak)))
    } else if let current = memoryCurrentBytes {
      lines.append(("Memory", formatBytes(current)))
    }
    if let read = ioReadBytes, let written = ioWriteBytes {
      lines.append(("IO", "\(formatBytes(read)) read, \(formatBytes(written)) written"))
    }
    return lines
  }
}

/// "1.5 GiB", "312 KiB", "12 B".
public func formatBytes(_ bytes: UInt64) -> String {
  let units = ["B", "KiB", "MiB", "GiB", "TiB"]
  var value = Double(bytes)
  var unit = 0
  while value >= 1024, unit < units.count - 1 {
    value /= 1024
    unit += 1
  }
  if unit == 0 { return "\(bytes) B" }
  let tenths = Int((value * 10).rounded())
  return "\(tenths / 10).\(tenths % 10) \(units[unit])"
}

/// One Exec*= command of a unit and its last run (systemd's
/// "a(sasbttttuii)" properties).
public struct ExecCommandRun: Sendable, Equatable {
  public var path: String
  /// Microseconds since the epoch; 0 when it never ran.
  public var startRealtime: UInt64
  public var exitRealtime: UInt64
  /// CLD_EXITED (1), CLD_KILLED (2), CLD_DUMPED (3); 0 when it never ran.
  public var code: Int32
  public var status: Int32

  public init(path: String, startRealtime: UInt64, exitRealtime: UInt64, code: Int32, status: Int32)
  {
    self.path = path
    self.startRealtime = startRealtime
    self.exitRealtime = exitRealtime
    self.code = code
    self.status = status
  }
}
