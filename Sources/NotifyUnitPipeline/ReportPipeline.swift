import NotifyUnitCompression
import NotifyUnitCore
import NotifyUnitSystem

/// One report of a unit's run, as stages: the outcome source, the log
/// collector (through the report assembler), the policy, then each channel
/// in turn, and the unit's state. Spooled reports of earlier runs go first.
/// Everything is bounded by one deadline (TIMEOUT).
public struct ReportPipeline {
  public var unit: String
  public var settings: Settings
  public var outcomeSource: OutcomeSource
  public var logCollector: LogCollector
  /// In the order they are tried; each keeps time for the ones after it.
  public var channels: [Channel]
  public var invocationFlag: String?
  /// A report made again by `notify-unit resend`: said in the report, and
  /// the unit's recorded outcome is left as it was.
  public var resend = false
  /// First deliver what waits (the spool) and report the runs the machine
  /// stopped under; false for those reports themselves.
  public var deliversEarlierReports = true
  public var renderer = LogRenderer(zone: .local)
  public var host = Host.name
  public var log: (String) -> Void

  public init(
    unit: String, settings: Settings, outcomeSource: OutcomeSource, logCollector: LogCollector,
    channels: [Channel], log: @escaping (String) -> Void = say
  ) {
    self.unit = unit
    self.settings = settings
    self.outcomeSource = outcomeSource
    self.logCollector = logCollector
    self.channels = channels
    self.log = log
  }

  /// Runs every stage; the exit status says the worst that happened.
  public func run() -> ExitStatus { report().status }

  /// What one run of the pipeline did: the worst that happened, and the
  /// invocation it reported (or stayed quiet about), nil when none was
  /// found.
  public struct Result: Equatable {
    public var status: ExitStatus
    public var invocationID: String?
  }

  /// Runs every stage, and says which invocation it was about.
  public func report() -> Result {
    var status = ExitStatus.delivered
    let deadline = Deadline(secondsFromNow: settings.timeout)

    // Reports an earlier run could not deliver go first, in their order.
    let store = settings.dryRun ? nil : stateStore(status: &status)
    let spool = store.flatMap { s -> Spool? in
      do { return try Spool(stateDirectory: s.directory) } catch {
        log("\(error): undelivered reports cannot be kept")
        return nil
      }
    }
    var spoolNotes: [String] = []
    if let spool, deliversEarlierReports {
      let flushed = SpoolFlush(spool: spool, settings: settings, say: log)
        .run(deadline: deadline.capped(to: deadline.remaining / 4))
      spoolNotes = flushed.notes
      FlushBookkeeping(
        store: store, spool: spool, textfileDirectory: settings.prometheusTextfileDirectory,
        log: log
      ).record(flushed.settled)
    }

    // Runs cut by the machine stopping, reported once by whoever comes first.
    if let store, deliversEarlierReports {
      var earlier = settings
      earlier.timeout = max(1, deadline.remaining / 3)
      status = max(
        status, InterruptedRuns(settings: earlier, log: log).report(stateDirectory: store.directory)
      )
    }

    // The exact log, kept while the journal is read, for a channel that
    // sends it; compressed alongside, on a second thread, for the mail.
    var archive: LogArchive? = nil
    var archiveNote: String? = nil
    if channels.contains(where: \.wantsLogArchive) {
      do {
        let kept = MailSettings.logBytesKept(attachmentMaxBytes: settings.attachmentMaxBytes)
        archive = CompressingLogArchive(
          try TemporaryLogArchive(limit: kept), compressor: MailChannel.compressor,
          keep: settings.attachmentMaxBytes, wholeLimit: kept)
      } catch {
        archiveNote = "The log cannot be attached: \(error)."
        log("\(error): the mail will have no attachment")
      }
    }
    let context = outcomeSource.context(for: unit, deadline: deadline)
    let assembler = ReportAssembler(
      unit: unit, invocationFlag: invocationFlag,
      tailCapacityBytes: max(settings.bodyMaxBytes, settings.pingBodyLimit), host: host,
      renderer: renderer, log: log)
    var (report, assemblyStatus) = assembler.assemble(
      context: context, collector: logCollector, archive: archive, deadline: deadline,
      now: Host.nowMicroseconds)
    status = max(status, assemblyStatus)
    if let archiveNote { report.notes.append(archiveNote) }
    if resend {
      report.notes.append("This report was made again from the journal (notify-unit resend).")
    }
    report.notes += spoolNotes

    let previous = store.flatMap { s -> UnitStateStore.Record? in
      let (record, problem, refused) = s.read(unit)
      if let problem { log(refused ? Priority.error.tag(problem) : problem) }
      return record
    }
    if let why = DeliveryPolicy.handlerStaysQuiet(
      isHandler: outcomeSource.isHandler, report: report, previous: previous)
    {
      log("\(unit.sanitizedForDisplay(maxLength: 100)): \(why), no second report")
      return Result(status: status, invocationID: report.invocationID)
    }
    // Failures in a row (ALERT_AFTER, REMIND_EVERY). A resend, or a second
    // report of the run last recorded (by hand, a handler, the start
    // limit's refusal after the last run), counts no new run.
    let runTime = RunFacts(report: report).finished ?? report.createdAt
    let kept = previous?.streak ?? AlertStreak()
    let sameRun = report.invocationID != nil && previous?.invocationID == report.invocationID
    let (alert, streak) =
      resend || sameRun
      ? (AlertStep.none, kept)
      : settings.alertRules(for: unit).step(verdict: report.verdict, streak: kept, now: runTime)
    report.alert = alert
    report.alertPrefix = alert.headlinePrefix(time: renderer.timestamp)
    report.recoveredFrom = alert.recoveredFrom(now: runTime)
    if let note = AlertNotes.sentence(alert, rules: settings.alertRules(for: unit)) {
      report.notes.append(note)
    }
    // Failures that raised no alarm were never news: their end is no recovery.
    var previousSuccess = previous?.success
    if case .recovered(_, _, alerted: false) = alert { previousSuccess = true }
    let policy = DeliveryPolicy(settings: settings, previousSuccess: previousSuccess)
    if policy.recovered(report) { report.recovered = true }

    var delivery = Delivery(
      report: report, archive: archive, spool: spool, store: resend ? nil : store,
      dryRun: settings.dryRun)
    // What became of each channel's report, for `notify-unit status`.
    var told: [String: String] = [:]
    var failed: [String: Bool] = [:]
    for (index, channel) in channels.enumerated() {
      if case .skip(let reason) = policy.decide(
        channel.policyKey, report: report, followsAlerts: channel.followsAlerts)
      {
        log("no \(channel.name): \(reason)")
        told[channel.name] = "skipped (\(reason))"
        continue
      }
      // Each channel keeps time for those after it.
      let later = Double(channels.count - index - 1)
      let reserve = later == 0 ? 0 : min(15 * later, deadline.remaining / 3)
      let result = channel.deliver(
        delivery, deadline: deadline.capped(to: max(0.5, deadline.remaining - reserve)))
      status = max(status, result.exitStatus)
      told[channel.name] = result.summary
      failed[channel.name] = (failed[channel.name] ?? false) || result.failure != nil
      if let failure = result.failure {
        delivery.earlierFailures.append("the \(channel.name) could not be sent: \(failure)")
      }
    }

    // The outcome is the unit's last, whatever happened to the report; a
    // skipped run did not run, and changes nothing.
    var lastSuccess = previous?.lastSuccess ?? (previous?.success == true ? previous?.time : nil)
    var lastFailure = previous?.lastFailure ?? (previous?.success == false ? previous?.time : nil)
    if report.verdict.isUp { lastSuccess = runTime }
    if report.verdict.isFailure { lastFailure = runTime }
    if let store, !settings.dryRun, !resend, report.verdict != .skipped {
      let record = UnitStateStore.Record(
        success: report.verdict.isUp,
        result: report.verdict == .interrupted ? "interrupted" : report.outcome.resultWord,
        invocationID: report.invocationID, time: report.createdAt,
        mail: told["mail"] ?? "no recipients (MAIL_TO)", ping: told["ping"] ?? "no check",
        lastSuccess: lastSuccess, lastFailure: lastFailure, streak: streak)
      do {
        try store.write(unit, record)
      } catch {
        log("\(error): the next report cannot know this outcome")
      }
    }
    if let directory = settings.prometheusTextfileDirectory, !settings.dryRun, !resend {
      var spooled: [String: Int] = [:]
      if let spool {
        do {
          spooled = FlushBookkeeping.spooledByChannel(try spool.entries(), of: unit, in: spool)
        } catch {
          log(Priority.warning.tag("\(error): the metrics count no spooled report"))
        }
      }
      var facts = RunFacts(report: report)
      var lastSkipped: UInt64? = nil
      // A skipped run did not run: the outcome stays the last run's (else
      // a skip after a failure resolved its alert while status said failed).
      if report.verdict == .skipped {
        lastSkipped = runTime
        if let previous {
          facts.verdict =
            previous.result == "interrupted" ? .interrupted : previous.success ? .success : .failure
          facts.finished =
            [previous.lastSuccess, previous.lastFailure].compactMap { $0 }.max() ?? previous.time
          facts.started = nil
        }
      }
      var metrics = MetricsFile(
        facts: facts, lastSuccess: lastSuccess, lastFailure: lastFailure,
        deliveryFailed: failed, spooled: spooled)
      metrics.consecutiveFailures = streak.failures
      metrics.lastSkipped = lastSkipped
      // Not written: not delivered, as a channel that failed (75).
      if !MetricsExport(directory: directory, log: log).write(metrics) {
        status = max(status, .temporaryFailure)
      }
    }
    return Result(status: status, invocationID: report.invocationID)
  }

  /// The state directory's store; nil (said on stderr) when it cannot be
  /// made: every run is then reported, as if it were the first.
  func stateStore(status: inout ExitStatus) -> UnitStateStore? {
    let directory = UnitStateStore.defaultDirectory(
      configured: settings.stateDirectory, environment: Host.environment)
    do {
      return try UnitStateStore(directory: directory)
    } catch  where error.isRefusal {
      // Another user could plant files there: nothing in it is used, and
      // the report still goes out, without state or spool.
      log(Priority.error.tag("\(error); this report is sent without state or spool"))
      status = max(status, .configProblem)
      return nil
    } catch {
      log("\(error): MAIL_ON=change cannot compare with the last run")
      return nil
    }
  }
}
