/// How a unit's run ended, as systemd reports it to `ExecStopPost=` commands
/// (SERVICE_RESULT, EXIT_CODE, EXIT_STATUS; systemd.exec(5)) or to
/// `OnFailure=` handlers (the same names prefixed with MONITOR_).
///
/// Success is decided on SERVICE_RESULT alone: a timeout can come with
/// `exited/0` and a success with `killed/TERM`, so EXIT_STATUS never decides.
public struct RunOutcome: Sendable, Equatable {
  /// SERVICE_RESULT as systemd names it; `nil` when unset or empty.
  public var result: ServiceResult?
  /// EXIT_CODE and EXIT_STATUS; `nil` when systemd did not start the main
  /// process (`protocol`, `start-limit-hit`) or the variables are missing.
  public var mainProcess: MainProcessExit?

  public init(result: ServiceResult?, mainProcess: MainProcessExit?) {
    self.result = result
    self.mainProcess = mainProcess
  }

  /// Reads the outcome from environment values (`SERVICE_RESULT`, ... or the
  /// `MONITOR_` forms when `prefix` is "MONITOR_").
  public init(environment: [String: String], prefix: String = "") {
    let value = { (name: String) -> String? in
      guard let v = environment[prefix + name]?.trimmingASCIIWhitespace, !v.isEmpty else {
        return nil
      }
      return v
    }
    self.result = value("SERVICE_RESULT").map(ServiceResult.init(rawValue:))
    self.mainProcess = MainProcessExit(code: value("EXIT_CODE"), status: value("EXIT_STATUS"))
  }

  /// Only an explicit `success` is success: an unset, empty or unknown result
  /// cannot confirm that the job worked, and a missed failure costs more than
  /// a false alarm.
  public var isSuccess: Bool { result == .success }

  /// The result as a short word for subjects: `success`, `exit-code`, ...
  public var resultWord: String { result?.rawValue ?? "unknown" }
}

/// SERVICE_RESULT values from systemd.exec(5); anything else is kept verbatim.
public enum ServiceResult: Sendable, Equatable {
  case success, `protocol`, timeout, exitCode, signal, coreDump, watchdog
  case startLimitHit, resources, execCondition, oomKill
  case other(String)

  public init(rawValue: String) {
    switch rawValue {
    case "success": self = .success
    case "protocol": self = .protocol
    case "timeout": self = .timeout
    case "exit-code": self = .exitCode
    case "signal": self = .signal
    case "core-dump": self = .coreDump
    case "watchdog": self = .watchdog
    case "start-limit-hit": self = .startLimitHit
    case "resources": self = .resources
    case "exec-condition": self = .execCondition
    case "oom-kill": self = .oomKill
    default: self = .other(rawValue.sanitizedForDisplay(maxLength: 64))
    }
  }

  public var rawValue: String {
    switch self {
    case .success: "success"
    case .protocol: "protocol"
    case .timeout: "timeout"
    case .exitCode: "exit-code"
    case .signal: "signal"
    case .coreDump: "core-dump"
    case .watchdog: "watchdog"
    case .startLimitHit: "start-limit-hit"
    case .resources: "resources"
    case .execCondition: "exec-condition"
    case .oomKill: "oom-kill"
    case .other(let value): value
    }
  }

  /// What the result means, in words (after systemd.exec(5)).
  public var explanation: String {
    switch self {
    case .success: "the unit ran and stopped cleanly"
    case .protocol: "the service did not follow its start-up protocol"
    case .timeout: "a start, stop or run time limit was hit"
    case .exitCode: "the main process exited with a non-zero status"
    case .signal: "the main process was killed by a signal"
    case .coreDump: "the main process dumped core"
    case .watchdog: "the watchdog timed out"
    case .startLimitHit: "the unit was started too often and systemd refused to start it"
    case .resources: "systemd ran out of resources to run the unit"
    case .execCondition: "an ExecCondition= command failed"
    case .oomKill: "the kernel's out-of-memory killer stopped a process"
    case .other: "a result this version of notify-unit does not know"
    }
  }
}

/// How the main process ended: EXIT_CODE (exited, killed, dumped) and
/// EXIT_STATUS (a number, or a signal name).
public enum MainProcessExit: Sendable, Equatable {
  case exited(status: Int)
  case killed(signal: String)
  case dumped(signal: String)
  /// A combination systemd does not produce; kept so nothing is hidden.
  case unrecognised(code: String, status: String)

  public init?(code: String?, status: String?) {
    guard let code else {
      if let status {
        self = .unrecognised(code: "", status: status.sanitizedForDisplay(maxLength: 32))
      } else {
        return nil
      }
      return
    }
    let status = status ?? ""
    switch code {
    case "exited":
      if let number = Int(status), (0...255).contains(number) {
        self = .exited(status: number)
      } else {
        self = .unrecognised(code: code, status: status.sanitizedForDisplay(maxLength: 32))
      }
    case "killed" where Signals.isName(status): self = .killed(signal: status)
    case "dumped" where Signals.isName(status): self = .dumped(signal: status)
    default:
      self = .unrecognised(
        code: code.sanitizedForDisplay(maxLength: 32),
        status: status.sanitizedForDisplay(maxLength: 32))
    }
  }

  /// "exited with status 3", "exited with status 203 (EXEC)", "killed by
  /// signal TERM (terminated)".
  public var description: String { description(job: nil) }

  /// As `description`, with the status named by `job` where it names it
  /// ("exited with status 3 (restic: some source files could not be
  /// read)"). Otherwise only systemd's own statuses (200 and up: systemd
  /// could not start the process) are named: its names for the others
  /// (restic's 3 is "NOTIMPLEMENTED") are not the job's.
  public func description(job: KnownJob?) -> String {
    switch self {
    case .exited(let status):
      if let job, let meaning = job.meaning(ofExitStatus: status) {
        return "exited with status \(status) (\(job.rawValue): \(meaning))"
      }
      if status >= 200, let name = ExitStatusNames.name(status) {
        return "exited with status \(status) (\(name))"
      }
      return "exited with status \(status)"
    case .killed(let signal): return "killed by signal \(signal)\(Signals.meaning(signal))"
    case .dumped(let signal): return "dumped core on signal \(signal)\(Signals.meaning(signal))"
    case .unrecognised(let code, let status):
      return
        "EXIT_CODE=\(code.isEmpty ? "(unset)" : code) EXIT_STATUS=\(status.isEmpty ? "(unset)" : status)"
    }
  }
}

/// Signal names as systemd writes them in EXIT_STATUS (without "SIG").
enum Signals {
  static let meanings: [String: String] = [
    "HUP": "hangup", "INT": "interrupt", "QUIT": "quit", "ILL": "illegal instruction",
    "TRAP": "trace trap", "ABRT": "aborted", "BUS": "bus error",
    "FPE": "arithmetic exception", "KILL": "killed", "USR1": "user signal 1",
    "SEGV": "segmentation fault", "USR2": "user signal 2", "PIPE": "broken pipe",
    "ALRM": "alarm", "TERM": "terminated", "XCPU": "CPU time limit exceeded",
    "XFSZ": "file size limit exceeded", "SYS": "bad system call",
  ]

  static func isName(_ s: String) -> Bool {
    !s.isEmpty && s.utf8.count <= 16
      && s.utf8.allSatisfy {
        ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2B
      }
  }

  static func meaning(_ name: String) -> String {
    meanings[name].map { " (\($0))" } ?? ""
  }

  /// Linux signal numbers (x86, arm) to the names systemd writes.
  static let numbers = [
    1: "HUP", 2: "INT", 3: "QUIT", 4: "ILL", 5: "TRAP", 6: "ABRT", 7: "BUS", 8: "FPE", 9: "KILL",
    10: "USR1", 11: "SEGV", 12: "USR2", 13: "PIPE", 14: "ALRM", 15: "TERM", 24: "XCPU",
    25: "XFSZ", 31: "SYS",
  ]

  static func name(_ number: Int) -> String { numbers[number] ?? String(number) }
}

/// The names systemd gives exit statuses (systemd.exec(5), "Process Exit
/// Codes"): the LSB ones and systemd's own 200-243.
enum ExitStatusNames {
  static func name(_ status: Int) -> String? { table[status] }

  static let table: [Int: String] = [
    0: "SUCCESS", 1: "FAILURE", 2: "INVALIDARGUMENT", 3: "NOTIMPLEMENTED",
    4: "NOPERMISSION", 5: "NOTINSTALLED", 6: "NOTCONFIGURED", 7: "NOTRUNNING",
    64: "USAGE", 65: "DATAERR", 66: "NOINPUT", 67: "NOUSER", 68: "NOHOST",
    69: "UNAVAILABLE", 70: "SOFTWARE", 71: "OSERR", 72: "OSFILE", 73: "CANTCREAT",
    74: "IOERR", 75: "TEMPFAIL", 76: "PROTOCOL", 77: "NOPERM", 78: "CONFIG",
    200: "CHDIR", 201: "NICE", 202: "FDS", 203: "EXEC", 204: "MEMORY", 205: "LIMITS",
    206: "OOM_ADJUST", 207: "SIGNAL_MASK", 208: "STDIN", 209: "STDOUT",
    210: "CHROOT", 211: "IOPRIO", 212: "TIMERSLACK", 213: "SECUREBITS",
    214: "SETSCHEDULER", 215: "CPUAFFINITY", 216: "GROUP", 217: "USER",
    218: "CAPABILITIES", 219: "CGROUP", 220: "SETSID", 221: "CONFIRM", 222: "STDERR",
    224: "PAM", 225: "NETWORK", 226: "NAMESPACE", 227: "NO_NEW_PRIVILEGES",
    228: "SECCOMP", 229: "SELINUX_CONTEXT", 230: "PERSONALITY", 231: "APPARMOR_PROFILE",
    232: "ADDRESS_FAMILIES", 233: "RUNTIME_DIRECTORY", 235: "CHOWN", 236: "SMACK_PROCESS_LABEL",
    237: "KEYRING", 238: "STATE_DIRECTORY", 239: "CACHE_DIRECTORY", 240: "LOGS_DIRECTORY",
    241: "CONFIGURATION_DIRECTORY", 242: "NUMA_POLICY", 243: "CREDENTIALS",
  ]
}
