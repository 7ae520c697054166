import ArgumentParser
import NotifyUnitCore
import NotifyUnitPipeline
import NotifyUnitSystem

/// `notify-unit hc-sync UNIT CHECK`: the check's schedule, time zone and
/// grace from the unit's timer, through Healthchecks' Management API, so
/// Healthchecks expects each run when the timer starts it.
struct HcSyncCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "hc-sync",
    abstract: "Set a Healthchecks check's schedule from the unit's timer (Management API v3).",
    discussion: """
      Reads the timer of UNIT (UNIT's stem .timer, else its TriggeredBy=)
      from systemd over D-Bus: its OnCalendar= expressions become the
      check's schedule (one per line; Healthchecks reads systemd's syntax),
      their time zone (else the host's) its tz, and RandomizedDelaySec= plus
      the unit's last run plus 5 minutes its grace (60 s to a year). The
      API key is read from HC_API_KEY_FILE and never printed; the API is
      HC_API_URL, else HC_URL's /ping as /api/v3. A timer with only
      monotonic triggers (OnBootSec=, ...) is refused: Healthchecks cannot
      follow it.

      Example:
        notify-unit hc-sync --dry-run backup.service env:HC_BACKUP
      """)

  @Argument(
    help: "The service the timer starts, e.g. backup.service.", completion: .systemdServices)
  var unit: String

  @Argument(help: "The check: its UUID or ping URL, file:PATH or env:NAME (as for the report).")
  var check: String

  @OptionGroup var configFile: ConfigFileOption
  @OptionGroup var ping: PingOptions

  @Option(help: "The Management API's URL. [HC_API_URL, default from HC_URL]")
  var hcApiUrl: String?

  @Option(help: "The file holding the project's API key. [HC_API_KEY_FILE]")
  var hcApiKeyFile: String?

  @Flag(help: "Print the change; send nothing.")
  var dryRun = false

  func validate() throws {
    try validateUnitArgument(unit)
  }

  func fail(_ line: String, _ status: ExitStatus) -> ExitCode {
    say(line)
    return ExitCode(status.rawValue)
  }

  func run() throws {
    let flags =
      ping.flagValues
      + keyedFlags([], [("HC_API_URL", hcApiUrl), ("HC_API_KEY_FILE", hcApiKeyFile)])
    let settings = try configFile.settings(flags: flags)

    let value: String?
    do throws(ConfigurationError) {
      value = try resolveCheck(check)
    } catch {
      throw fail("CHECK: \(error)", .usage)
    }
    guard let value else { throw fail("CHECK: nothing to sync", .usage) }
    guard let uuid = Self.checkUUID(value) else {
      throw fail(
        "CHECK: hc-sync needs the check's UUID (or its ping URL): the Management API does not address a check by PING-KEY/slug",
        .usage)
    }
    let apiBase: String
    do throws(ScheduleSyncError) {
      apiBase = try ManagementAPI.baseURL(configured: settings.hcAPIURL, hcURL: settings.hcURL)
    } catch {
      throw fail("\(error)", .configProblem)
    }

    let found: TimerReader.Found
    do throws(BusError) {
      let bus = try SystemBus(timeout: 5)
      found = try TimerReader.read(unit, bus: bus)
    } catch {
      throw fail(
        "\(error): cannot read \(unit.sanitizedForDisplay(maxLength: 100))'s timer", .refused)
    }
    guard case .timer(let timer, let lastRun) = found else {
      throw fail(
        "\(unit.sanitizedForDisplay(maxLength: 100)) has no timer: neither \(Self.stem(unit)).timer nor a timer in its TriggeredBy= is loaded",
        .usage)
    }
    let schedule: CheckSchedule
    do throws(ScheduleSyncError) {
      schedule = try CheckSchedule.derive(
        from: timer, hostZone: HostTimeZone.name(), durations: lastRun.map { [$0] } ?? [])
    } catch {
      throw fail("\(error)", .refused)
    }

    let url = ManagementAPI.checkURL(base: apiBase, uuid: uuid)
    let shownURL = redactedBaseURL(apiBase) + "/checks/" + uuid.prefix(4) + "…"
    print("\(timer.timer): \(timer.calendars.map { "OnCalendar=" + $0 }.joined(separator: ", "))")
    print("\(dryRun ? "would set" : "setting") \(shownURL):")
    for (i, line) in schedule.schedule.split(separator: "\n").enumerated() {
      print("  \(i == 0 ? "schedule:" : "         ") \(line)")
    }
    print("  tz:       \(schedule.tz)")
    print("  grace:    \(schedule.grace) s (\(schedule.graceReason))")
    if dryRun { return }

    guard let keyFile = settings.hcAPIKeyFile else {
      throw fail(
        "no API key: set HC_API_KEY_FILE (or --hc-api-key-file) to a file holding the project's API key",
        .configProblem)
    }
    let key: String
    switch readSecretFile(keyFile, holding: "an API key") {
    case .failure(let error): throw fail("HC_API_KEY_FILE: \(error)", .configProblem)
    case .success(let text): key = text.firstLineTrimmed
    }
    guard !key.isEmpty else { throw fail("HC_API_KEY_FILE \(keyFile) is empty", .configProblem) }
    switch ManagementAPIClient.update(
      checkURL: url, apiKey: key, schedule: schedule, timeout: settings.pingTimeout,
      secrets: [uuid])
    {
    case .updated:
      print("done")
    case .refused(let line):
      throw fail("Healthchecks refused the change: \(line)", .refused)
    case .failed(let line):
      throw fail("the change could not be sent: \(line)", .temporaryFailure)
    }
  }

  static func stem(_ unit: String) -> String {
    unit.hasSuffix(".service") ? String(unit.dropLast(8)) : unit
  }

  /// The check's UUID: CHECK itself, or the last UUID in its ping URL.
  static func checkUUID(_ value: String) -> String? {
    if PingTarget.isUUID(value) { return value.lowercased() }
    guard value.hasPrefix("http://") || value.hasPrefix("https://") else { return nil }
    let path = value.split(separator: "?").first ?? ""
    return path.split(separator: "/").map(String.init).last(where: PingTarget.isUUID)?
      .lowercased()
  }
}
