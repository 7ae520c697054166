import ArgumentParser
import NotifyUnitCore
import NotifyUnitPipeline
import NotifyUnitSystem

/// `notify-unit start UNIT CHECK`, for a unit's ExecStartPre= line:
/// Healthchecks' start signal, with the invocation as `rid`, so the finish
/// ping closes the same run and Healthchecks shows its duration and catches
/// a run that never ends.
struct StartCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "start",
    abstract: "Send Healthchecks' start signal for a unit's run (ExecStartPre=).",
    discussion: """
      Pings CHECK/start?rid=INVOCATION_ID. It never holds up or fails the job
      because the network is down: it tries once and gives up after at most
      3 s (or TIMEOUT, if shorter) and drops the signal, since a late start signal
      would only distort the run's duration; that exits 0. A bad command line
      or config file exits 64 or 78, as the report does.

      It also records the run's start (unit, invocation, time, boot) in the
      state directory, with or without a CHECK; the run's report
      (ExecStopPost=) removes it. A start left from an earlier boot is a run
      the machine stopped under: the next notify-unit of the same user (a
      report, a flush, or the boot-time flush) reports it once, as
      interrupted. Use it together with the ExecStopPost= report.

      Example:
        ExecStartPre=-/usr/bin/notify-unit start %n env:HC_BACKUP
      """)

  /// A start signal is worth little after this long.
  static let maximumSeconds = 10.0
  /// The start signal's one try: it gives up after this long.
  static let signalSeconds = 3.0

  @Argument(help: "The unit's name, e.g. backup.service.", completion: .systemdServices)
  var unit: String

  @Argument(help: "The Healthchecks check, as for the report. No CHECK, nothing to do.")
  var check: String?

  @OptionGroup var configFile: ConfigFileOption
  @OptionGroup var ping: PingOptions

  @Option(help: "The run's invocation; overrides INVOCATION_ID from systemd.")
  var invocationId: String?

  @Option(help: "Deadline in seconds, at most 3 (one try). [TIMEOUT]")
  var timeout: String?

  @Flag(help: "Print the ping to stderr; send nothing. [DRY_RUN]")
  var dryRun = false

  func validate() throws {
    try validateUnitArgument(unit)
  }

  func run() throws {
    let flags =
      ping.flagValues + keyedFlags([], [("TIMEOUT", timeout), ("DRY_RUN", dryRun ? "yes" : nil)])
    let settings = try configFile.settings(flags: flags)
    var status = ExitStatus.delivered

    let resolved: PingTarget?
    do throws(ConfigurationError) {
      resolved = try check.flatMap { c throws(ConfigurationError) in try pingTarget(c, settings) }
    } catch {
      say("CHECK: \(error); no start signal sent")
      throw ExitCode(ExitStatus.usage.rawValue)
    }
    let id = invocationId ?? Host.environment["INVOCATION_ID"]
    if !settings.dryRun, let invocation = id.flatMap(normalizedInvocationID) {
      recordStart(invocation, pingURL: resolved?.successURL, settings: settings)
    }
    // A unit whose check is left empty (HC_BACKUP unset) pings nothing.
    guard let target = resolved else {
      if status != .delivered { throw ExitCode(status.rawValue) }
      return
    }
    let rid = id.flatMap(normalizedInvocationID).flatMap(ridFromInvocationID)
    if rid == nil {
      say("no invocation ID (INVOCATION_ID or --invocation-id): the start signal has no rid")
      if invocationId != nil { status = max(status, .usage) }
    }
    let url = target.url(path: "/start", rid: rid)
    let body = Array("\(unit.sanitizedForDisplay(maxLength: 200)) starting on \(Host.name)\n".utf8)
    if settings.dryRun {
      Host.printError(
        "ping: POST \(target.redactedURL(path: "/start", rid: rid)) (\(body.count) bytes)")
    } else {
      // One try, a few seconds at most: a Healthchecks that is down must
      // not hold up the job; the finish ping tells it all the same.
      let pinger = HealthchecksPinger(
        target: target, policy: RetryPolicy(maxAttempts: 1),
        requestTimeout: min(settings.pingTimeout, Self.signalSeconds), log: say)
      let outcome = pinger.ping(
        url: url, shown: target.redactedURL(path: "/start", rid: rid), bodyLimit: body.count,
        deadline: Deadline(secondsFromNow: min(settings.timeout, Self.signalSeconds))
      ) { _ in body }
      if !outcome.delivered {
        say(
          "start signal dropped after \(outcome.attempts) tries: \(outcome.failure)",
          priority: .warning)
        if outcome.permanent { status = max(status, .refused) }
      }
      // The reply teaches the server's body limit before the finish ping.
      if let limit = outcome.serverBodyLimit,
        let origin = PingBodyLimits.origin(of: target.successURL)
      {
        rememberBodyLimit(limit, origin: origin, settings: settings)
      }
    }
    if status != .delivered { throw ExitCode(status.rawValue) }
  }

  /// Keeps the server's Ping-Body-Limit in the state directory.
  func rememberBodyLimit(_ limit: Int, origin: String, settings: Settings) {
    let directory = UnitStateStore.defaultDirectory(
      configured: settings.stateDirectory, environment: Host.environment)
    do {
      _ = try UnitStateStore(directory: directory)
      try PingBodyLimitStore(directory: directory).learn(limit, for: origin)
    } catch {
      say("\(error): the server's ping body limit is not remembered")
    }
  }

  /// The run's start, for telling later that the machine stopped under it.
  /// Never fails the start: without it, only that case goes unreported.
  func recordStart(_ invocation: String, pingURL: String?, settings: Settings) {
    guard let bootID = RunStarts.currentBootID() else {
      say(
        "no boot ID (neither the kernel's nor, under ProcSubset=pid, the journal's): this run cannot be reported if the machine stops under it"
      )
      return
    }
    let directory = UnitStateStore.defaultDirectory(
      configured: settings.stateDirectory, environment: Host.environment)
    do {
      _ = try UnitStateStore(directory: directory)
      try RunStarts(directory: directory).record(
        RunStarts.Start(
          unit: unit, invocationID: invocation, time: Host.nowMicroseconds, bootID: bootID,
          pingURL: pingURL))
    } catch {
      say("\(error): this run cannot be reported if the machine stops under it")
    }
  }
}
