import ArgumentParser
import NotifyUnitCore
import NotifyUnitPipeline
import NotifyUnitSystem

/// `notify-unit doctor [UNIT...]`: checks the set-up, one line a check.
struct DoctorCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "doctor",
    abstract:
      "Check the set-up: config, mail, Healthchecks, state, journal, and each UNIT's wiring.",
    discussion: """
      One line a check, ✓ or ✗ with the fix. Nothing is delivered: the SMTP
      relay is connected to (EHLO, AUTH when SMTP_URL has credentials) without
      sending, and Healthchecks' base URL is fetched, never a check's URL (only
      when HC_URL is set or a UNIT named pings a check). For
      each UNIT, its wiring is read from systemd over D-Bus: an
      ExecStopPost=- line running notify-unit, an OnFailure= handler, journal
      access for its User=, and its CHECK resolving.

      Exit status: 0 when every check passes, 1 otherwise.

      Examples:
        notify-unit doctor
        notify-unit doctor backup.service prune.service
      """)

  @Argument(help: "Units whose wiring to check, e.g. backup.service.")
  var units: [String] = []

  @OptionGroup var configFile: ConfigFileOption

  @Option(help: "Where the state and the spool are. [STATE_DIRECTORY]")
  var stateDirectory: String?

  @Option(help: "Seconds each probe (SMTP, Healthchecks, D-Bus) may take.")
  var probeTimeout: Double = 10

  func run() throws {
    var (settings, checks) = configChecks()
    if let stateDirectory {
      do throws(ConfigurationError) {
        try settings.set("STATE_DIRECTORY", stateDirectory)
      } catch {
        checks.append(.fail("--state-directory", "\(error)", fix: "give an absolute path"))
      }
    }
    let timeout = max(0.5, min(probeTimeout, 60))
    checks.append(mailToCheck(settings))
    if let relay = settings.smtpRelay {
      checks.append(HostChecks.smtp(relay, timeout: timeout))
    } else {
      checks.append(HostChecks.sendmail(settings.sendmail))
    }
    let (wiringChecks, unitsPing) =
      units.isEmpty ? ([], false) : unitChecks(settings, timeout: timeout)
    // Only a set-up that pings is probed: a mail-only one has no server to
    // reach, and hc-ping.com is only HC_URL's default.
    let pings = unitsPing || configuresHealthchecks()
    if pings {
      checks.append(HostChecks.healthchecks(settings.hcURL, timeout: timeout))
    } else {
      checks.append(
        .pass(
          "Healthchecks",
          units.isEmpty
            ? "no HC_URL in \(configFile.config): not probed (name the units to see whether they ping)"
            : "no HC_URL, and no unit named pings: not probed"))
    }
    checks.append(
      HostChecks.stateDirectory(
        UnitStateStore.defaultDirectory(
          configured: settings.stateDirectory, environment: Host.environment)))
    checks.append(HostChecks.journal())
    if let directory = settings.prometheusTextfileDirectory {
      checks.append(HostChecks.textfileDirectory(directory))
    }
    checks += ChannelTransport.checks(settings, pings: pings)
    checks += wiringChecks

    let report = DoctorReport(checks: checks)
    print(report.text, terminator: "")
    if !report.allPassed { throw ExitCode(1) }
  }

  /// The config file read as a report would read it; each problem a check.
  func configChecks() -> (Settings, [DoctorCheck]) {
    let path = configFile.config
    var settings = Settings()
    switch Host.readFile(path) {
    case .failure(let error):
      if error.isMissing && path == defaultConfigPath {
        return (settings, [.pass("config", "no \(path): the defaults apply")])
      }
      return (
        settings,
        [
          .fail(
            "config", "\(error)", fix: "create \(path) (see the README's table), or give --config")
        ]
      )
    case .success(let text):
      let problems = settings.apply(configText: text, readFile: { readSecretFile($0) })
      let keys = settings.secretsInConfigText
      let readable =
        keys.isEmpty || !Host.isReadableByOthers(path, group: true)
        ? []
        : [
          DoctorCheck.warn(
            "config",
            "\(path) holds credentials (\(keys.joined(separator: ", "))) and other users can read it",
            fix: "chmod 0600 \(path), or move them to a file of their own with \(keys[0])_FILE=")
        ]
      guard !problems.isEmpty else {
        return (settings, [.pass("config", "\(path) has no problem")] + readable)
      }
      return (
        settings,
        problems.map { problem in
          .fail("config", "\(path): \(problem)", fix: Self.fix(forConfigProblem: problem))
        } + readable
      )
    }
  }

  /// The config file sets HC_URL (or reads it from a file).
  func configuresHealthchecks() -> Bool {
    guard case .success(let text) = Host.readFile(configFile.config) else { return false }
    return EnvironmentFile.parse(text).assignments.contains {
      $0.key == "HC_URL" || $0.key == "HC_URL_FILE"
    }
  }

  /// "… (did you mean MAIL_TO?)" becomes "write MAIL_TO instead".
  static func fix(forConfigProblem problem: String) -> String {
    if let range = problem.firstRange(of: "(did you mean ") {
      let key = problem[range.upperBound...].prefix { $0 != "?" }
      return "write \(key) instead; nothing is sent until then"
    }
    if problem.contains("not a mail address") {
      return
        "write each address as \(MailAddress.acceptedForms), several separated by commas; nothing is sent until then"
    }
    if problem.contains("unknown setting") {
      return "remove that line: no setting has that name (see notify-unit.conf in the README)"
    }
    return "correct that line: nothing is sent until then"
  }

  func mailToCheck(_ settings: Settings) -> DoctorCheck {
    guard !settings.mailTo.isEmpty else {
      return .fail(
        "mail", "no recipient (MAIL_TO): no report is mailed",
        fix: "set MAIL_TO=you@example.org in \(configFile.config)")
    }
    let domain = MailDomain.local
    let shown = settings.mailTo.map { a in
      a.isLocal
        ? "\(a.address) (local: \(a.qualified(domain: domain).address))" : a.address
    }
    return .pass("mail", "reports go to " + shown.joined(separator: ", "))
  }

  /// Each unit's checks, and whether any of them pings a check.
  func unitChecks(_ settings: Settings, timeout: Double) -> ([DoctorCheck], pings: Bool) {
    let bus: SystemBus
    do {
      bus = try SystemBus(timeout: timeout)
    } catch {
      return (
        [
          .fail(
            "systemd", "\(error)",
            fix: "run doctor on the host whose units these are, with systemd and D-Bus running")
        ], false
      )
    }
    var checks: [DoctorCheck] = []
    var pings = false
    for unit in units {
      do {
        let wiring = try UnitWiringReader.read(unit, bus: bus)
        checks += wiring.checks(installedPath: OwnExecutable.path ?? "/usr/bin/notify-unit") {
          check in
          let resolution = wiring.resolution(
            of: check, hcURL: settings.hcURL,
            readFile: { readSecretFile($0, holding: "a check") })
          if case .resolved = resolution { pings = true }
          return resolution
        }
      } catch {
        checks.append(
          .fail(
            unit.sanitizedForDisplay(maxLength: 100), "\(error)",
            fix: "check that systemd runs and this user may ask it over D-Bus"))
      }
    }
    return (checks, pings)
  }
}
