/// How a unit is wired to notify-unit, as systemd has it loaded (read over
/// D-Bus by `UnitWiringReader`), and the checks `notify-unit doctor UNIT`
/// makes of it. Pure: the facts come in, the checks go out.
public struct UnitWiring: Sendable, Equatable {
  /// One Exec*= command as systemd loaded it.
  public struct Command: Sendable, Equatable {
    public var path: String
    /// argv, argv[0] included.
    public var arguments: [String]
    /// The "-" prefix: a non-zero exit does not fail the unit.
    public var ignoresFailure: Bool
    /// The "+" prefix: run as root, whatever User= says.
    public var privileged: Bool
    /// `path` is an executable file: systemd checks only when it runs the
    /// line, then skips it ("Executable … missing"), and loads the unit.
    public var isExecutable: Bool

    public init(
      path: String, arguments: [String], ignoresFailure: Bool, privileged: Bool,
      isExecutable: Bool = true
    ) {
      self.path = path
      self.arguments = arguments
      self.ignoresFailure = ignoresFailure
      self.privileged = privileged
      self.isExecutable = isExecutable
    }
  }

  public var unit: String
  /// systemd's LoadState: "loaded", "not-found", "masked", ...
  public var loadState: String
  public var execStopPost: [Command] = []
  /// ExecStartPre= (notify-unit's `start`) and ExecStart= (an OnFailure=
  /// handler's report), checked only for a notify-unit that is missing.
  public var execStartPre: [Command] = []
  public var execStart: [Command] = []
  /// OnFailure= units.
  public var onFailure: [String] = []
  /// User=; empty means root.
  public var user: String = ""
  /// The groups the unit's user has: SupplementaryGroups=, Group= and the
  /// user's own groups from the group database.
  public var groups: [String] = []
  /// Environment= and what the EnvironmentFile= files set, in systemd's
  /// order (a later value wins).
  public var environment: [(key: String, value: String)] = []
  /// EnvironmentFile= files that could not be read (not those with "-").
  public var unreadableEnvironmentFiles: [String] = []
  /// LogRateLimitBurst=; 0 when the unit leaves journald's default.
  public var logRateLimitBurst: UInt32 = 0

  public init(unit: String, loadState: String) {
    self.unit = unit
    self.loadState = loadState
  }

  public static func == (a: UnitWiring, b: UnitWiring) -> Bool {
    a.unit == b.unit && a.loadState == b.loadState && a.execStopPost == b.execStopPost
      && a.execStartPre == b.execStartPre && a.execStart == b.execStart
      && a.onFailure == b.onFailure && a.user == b.user && a.groups == b.groups
      && a.environment.map(\.key) == b.environment.map(\.key)
      && a.environment.map(\.value) == b.environment.map(\.value)
      && a.unreadableEnvironmentFiles == b.unreadableEnvironmentFiles
      && a.logRateLimitBurst == b.logRateLimitBurst
  }

  /// The ExecStopPost= commands that report the run: notify-unit, not its
  /// `start` or `flush`.
  public var reportCommands: [Command] {
    execStopPost.filter { command in
      guard Self.runsNotifyUnit(command) else { return false }
      let first = Self.positionals(command.arguments)
      return !["start", "flush", "resend", "doctor", "test", "status"].contains(first.first ?? "")
    }
  }

  public static func runsNotifyUnit(_ command: Command) -> Bool {
    let name = (command.arguments.first ?? command.path).split(separator: "/").last
    return name == "notify-unit" || command.path.split(separator: "/").last == "notify-unit"
  }

  /// The line as it would be written with `path` instead of its own;
  /// `setting` ends with "=".
  static func line(_ setting: String, _ command: Command, path: String) -> String {
    let prefix = (command.privileged ? "+" : "") + (command.ignoresFailure ? "-" : "")
    let arguments = command.arguments.dropFirst().map { $0.sanitizedForDisplay(maxLength: 100) }
    return "\(setting)\(prefix)\(([path] + arguments).joined(separator: " "))"
  }

  /// Options of the report that take no value; every other `--name` takes
  /// the next argument unless written `--name=value`.
  static let valuelessOptions: Set<String> = [
    "--on-failure", "--dry-run", "--help", "-h", "--version",
  ]

  /// The arguments that are not options or their values, after argv[0].
  public static func positionals(_ arguments: [String]) -> [String] {
    var result: [String] = []
    var i = 1
    while i < arguments.count {
      let a = arguments[i]
      if a == "--" {
        result += arguments[(i + 1)...]
        break
      }
      if a.hasPrefix("-"), a.count > 1 {
        if !valuelessOptions.contains(a), !a.contains("=") { i += 1 }
      } else {
        result.append(a)
      }
      i += 1
    }
    return result
  }

  /// The CHECK a report command gives, if any (after `report` and UNIT).
  public static func check(of command: Command) -> String? {
    var p = positionals(command.arguments)
    if p.first == "report" { p.removeFirst() }
    return p.count >= 2 ? p[1] : nil
  }

  /// The value the unit's environment gives `name`; nil when unset.
  public func environmentValue(_ name: String) -> String? {
    environment.last { $0.key == name }?.value
  }

  /// How a CHECK resolved for the unit: a masked form of the check to show,
  /// or why it does not resolve.
  public enum CheckResolution: Sendable, Equatable {
    case none
    case resolved(shown: String)
    /// `env:NAME` with NAME empty (restic.env's "empty: no ping") or
    /// unset: the report mails and does not ping, as documented; unset
    /// comes with a fix, since a missing EnvironmentFile= looks the same.
    case noPing(String, fix: String?)
    case unresolved(String, fix: String)
  }

  /// The checks of this unit: loaded, the report line and its executable,
  /// OnFailure=, journal access and the check. `resolveCheck` turns a CHECK
  /// argument into a resolution (it reads `file:` files and knows HC_URL);
  /// `installedPath` is where notify-unit is, for the fixes.
  public func checks(
    installedPath: String = "/usr/bin/notify-unit", resolveCheck: (String) -> CheckResolution
  ) -> [DoctorCheck] {
    let name = unit.sanitizedForDisplay(maxLength: 100)
    guard loadState == "loaded" else {
      let why =
        loadState == "not-found" ? "systemd knows no such unit" : "its LoadState is \(loadState)"
      return [
        .fail(
          name, why,
          fix: "check the name (systemctl list-units --all \(name)), or systemctl daemon-reload")
      ]
    }
    var checks: [DoctorCheck] = []
    let dropIn = "/etc/systemd/system/\(name).d/notify-unit.conf"
    let reports = reportCommands
    let report = reports.first { $0.ignoresFailure } ?? reports.first
    switch report {
    case nil:
      checks.append(
        .fail(
          "\(name): ExecStopPost=", "no notify-unit line: its runs are not reported",
          fix:
            "add [Service] ExecStopPost=-\(installedPath) %n env:HC_CHECK in \(dropIn), then systemctl daemon-reload"
        ))
    case let command? where !command.isExecutable:
      checks.append(missingExecutable("ExecStopPost=", command, installedPath: installedPath))
    case let command? where !command.ignoresFailure:
      checks.append(
        .fail(
          "\(name): ExecStopPost=",
          "\(command.path) runs without the \"-\" prefix: a report that cannot be delivered fails the unit",
          fix: "write ExecStopPost=-\(command.path) … (with \"-\"), then systemctl daemon-reload"))
    case let command?:
      checks.append(.pass("\(name): ExecStopPost=", "-\(command.path) reports every run"))
    }

    // The other notify-unit lines: a start signal, a handler's report.
    for (setting, commands) in [("ExecStartPre=", execStartPre), ("ExecStart=", execStart)] {
      for command in commands where Self.runsNotifyUnit(command) && !command.isExecutable {
        checks.append(missingExecutable(setting, command, installedPath: installedPath))
      }
    }

    if onFailure.isEmpty {
      checks.append(
        .fail(
          "\(name): OnFailure=",
          "no handler: a run that never starts its job (start-limit-hit) is not reported",
          fix: "add [Unit] OnFailure=notify-failure@%n.service in \(dropIn)"))
    } else {
      checks.append(
        .pass(
          "\(name): OnFailure=",
          onFailure.map { $0.sanitizedForDisplay(maxLength: 100) }.joined(separator: ", ")))
    }

    let runsAs = user.isEmpty ? "root" : user.sanitizedForDisplay(maxLength: 60)
    if report?.privileged == true {
      checks.append(.pass("\(name): journal", "notify-unit runs with \"+\", as root"))
    } else if let group = JournalAccess.grantedBy(user: runsAs, groups: groups) {
      checks.append(
        .pass(
          "\(name): journal",
          group == "root" ? "runs as root" : "\(runsAs) reads it as a member of \(group)"))
    } else {
      checks.append(
        .fail(
          "\(name): journal",
          "User=\(runsAs) cannot read the system journal: its reports will have no log lines",
          fix: "add [Service] SupplementaryGroups=systemd-journal in \(dropIn)"))
    }

    // journald's default limit (RateLimitBurst=10000 per 30 s, scaled by
    // the free space) drops a verbose run's lines; it says so ("Suppressed
    // N messages") only once the interval has ended, after the report.
    if unit.hasSuffix(".service"), logRateLimitBurst == 0 {
      checks.append(
        .warn(
          "\(name): log rate limit",
          "no LogRateLimitBurst=: journald drops lines of a verbose run (after about 10,000 in 30 s), and the report can rarely tell how many",
          fix:
            "add [Service] LogRateLimitIntervalSec=30s and LogRateLimitBurst=1000000 in \(dropIn)"))
    }

    for file in unreadableEnvironmentFiles {
      checks.append(
        .fail(
          "\(name): EnvironmentFile=", "\(file.sanitizedForDisplay(maxLength: 200)) cannot be read",
          fix: "create it, or write EnvironmentFile=-\(file.sanitizedForDisplay(maxLength: 200))"))
    }

    if let report {
      switch Self.check(of: report).map(resolveCheck) ?? CheckResolution.none {
      case .none:
        checks.append(.pass("\(name): check", "no CHECK: runs are mailed, not pinged"))
      case .resolved(let shown):
        checks.append(.pass("\(name): check", "pings \(shown)"))
      case .noPing(let why, nil):
        checks.append(.pass("\(name): check", why))
      case .noPing(let why, let fix?):
        checks.append(.warn("\(name): check", why, fix: fix))
      case .unresolved(let why, let fix):
        checks.append(.fail("\(name): check", why, fix: fix))
      }
    }
    return checks
  }
}

extension UnitWiring {
  /// A notify-unit line whose executable is not there: systemd skips it
  /// when it comes to run it, so nothing is reported (or signalled).
  func missingExecutable(_ setting: String, _ command: Command, installedPath: String)
    -> DoctorCheck
  {
    let name = unit.sanitizedForDisplay(maxLength: 100)
    let path = command.path.sanitizedForDisplay(maxLength: 200)
    let fix =
      path == installedPath
      ? "install notify-unit as \(path) (apt-get install notify-unit)"
      : "write \(Self.line(setting, command, path: installedPath)) (where notify-unit is installed) in the unit or its drop-in, then systemctl daemon-reload"
    return .fail(
      "\(name): \(setting)",
      "\(path) is not an executable file: systemd skips this line (\"Executable … missing\"), so it never runs",
      fix: fix)
  }

  /// CHECK as the unit's report resolves it: `env:NAME` from the unit's
  /// environment, `file:PATH` by `readFile`, else as given; then as a check
  /// under `hcURL`. Only the masked form is ever shown.
  public func resolution(
    of check: String, hcURL: String, readFile: (String) -> Result<String, ConfigurationError>
  ) -> CheckResolution {
    let shownArgument = check.hasPrefix("env:") || check.hasPrefix("file:") ? check : "CHECK"
    var value = check
    if check.hasPrefix("env:") {
      let name = String(check.dropFirst(4))
      let shownName = name.sanitizedForDisplay(maxLength: 60)
      guard let v = environmentValue(name)?.trimmingASCIIWhitespace else {
        return .noPing(
          "\(check.sanitizedForDisplay(maxLength: 80)): \(shownName) is not set in the unit's Environment= or EnvironmentFile=: runs are mailed, not pinged",
          fix:
            "to ping, put \(shownName)=CHECK in a file only root reads (0600) and name it in EnvironmentFile=; to mail only, set \(shownName)= empty there"
        )
      }
      guard !v.isEmpty else {
        return .noPing(
          "\(check.sanitizedForDisplay(maxLength: 80)): \(shownName) is empty: runs are mailed, not pinged",
          fix: nil)
      }
      value = v
    }
    // A file named by the argument or by the variable (HC_BACKUP=file:PATH).
    if value.hasPrefix("file:") {
      let path = String(value.dropFirst(5))
      switch readFile(path) {
      case .failure(let error):
        return .unresolved(
          "\(value.sanitizedForDisplay(maxLength: 200)): \(error)",
          fix: "write the check into \(path.sanitizedForDisplay(maxLength: 200)) (0600)")
      case .success(let text):
        value = text.firstLineTrimmed
      }
    }
    do throws(ConfigurationError) {
      let target = try PingTarget(check: value, baseURL: hcURL)
      return .resolved(shown: target.redacted)
    } catch {
      return .unresolved(
        "\(shownArgument.sanitizedForDisplay(maxLength: 200)) does not resolve: \(error)",
        fix: "give a check UUID, PING-KEY/SLUG or a ping URL (see HC_URL)")
    }
  }
}
