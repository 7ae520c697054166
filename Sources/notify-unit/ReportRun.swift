import NotifyUnitCore
import NotifyUnitSystem

#if canImport(Glibc)
  import Glibc
#endif

/// One run of the main mode: read the outcome and the journal, then mail
/// and ping, each bounded by the run's deadline.
struct ReportRun {
  let unit: String
  let check: String?
  let settings: Settings
  var invocationFlag: String?
  /// Run as an OnFailure= handler (`--on-failure`): the unit named failed.
  var onFailure = false
  /// A report made again by `notify-unit resend`: said in the report, and
  /// the unit's recorded outcome is left as it was.
  var resend = false
  let environment = Host.environment
  let renderer = LogRenderer(zone: .local)

  init(unit: String, check: String?, settings: Settings) {
    self.unit = unit
    self.check = check
    self.settings = settings
  }

  /// systemd (251+) passes MONITOR_* to OnFailure= handlers.
  var hasMonitorVariables: Bool {
    ["MONITOR_SERVICE_RESULT", "MONITOR_INVOCATION_ID"].contains {
      !(environment[$0] ?? "").isEmpty
    }
  }

  /// Run by an OnFailure= handler: the flag, or systemd's MONITOR_* variables.
  var isHandler: Bool { onFailure || hasMonitorVariables }

  var journalSource: JournalSource {
    if !settings.journalFiles.isEmpty { return .files(settings.journalFiles) }
    if let dir = settings.journalDirectory { return .directory(dir) }
    return .local
  }

  func execute() -> ExitStatus {
    var status = ExitStatus.delivered
    let deadline = Deadline(secondsFromNow: settings.timeout)
    // A reader that goes away must give an error, not kill the run.
    signal(SIGPIPE, SIG_IGN)

    var target: PingTarget? = nil
    if let check {
      do throws(ConfigurationError) {
        target = try pingTarget(check, settings)
      } catch {
        say("CHECK: \(error); no ping will be sent")
        status = max(status, .usage)
      }
    }

    // Reports an earlier run could not deliver go first, in their order.
    let store = settings.dryRun ? nil : stateStore()
    let spool = store.flatMap { s -> Spool? in
      do { return try Spool(stateDirectory: s.directory) } catch {
        say("\(error): undelivered reports cannot be kept")
        return nil
      }
    }
    var spoolNotes: [String] = []
    if let spool {
      spoolNotes =
        SpoolFlush(spool: spool, settings: settings, say: say)
        .run(deadline: deadline.capped(to: deadline.remaining / 4)).notes
    }

    // The exact log for the attachment is kept while the journal is read.
    var archive: TemporaryLogArchive? = nil
    var archiveNote: String? = nil
    if !settings.mailTo.isEmpty && settings.attachmentMaxBytes > 0 {
      do {
        archive = try TemporaryLogArchive(limit: settings.attachmentMaxBytes)
      } catch {
        archiveNote = "The log cannot be attached: \(error)."
        say("\(error): the mail will have no attachment")
      }
    }
    var report = makeReport(status: &status, deadline: deadline, archive: archive)
    if let archiveNote { report.notes.append(archiveNote) }
    if resend {
      report.notes.append("This report was made again from the journal (notify-unit resend).")
    }
    report.notes += spoolNotes

    // One failure, one report: a handler stays quiet when the failed run's
    // own ExecStopPost= notify-unit delivered its report.
    if isHandler, report.status?.reportedByExecStopPost == true {
      say(
        "\(unit.sanitizedForDisplay(maxLength: 100)) : its ExecStopPost= notify-unit reported this run already, no second report"
      )
      return status
    }

    // MAIL_ON: whether this run is worth a mail, from the unit's last outcome.
    let previous = store.flatMap { s -> UnitStateStore.Record? in
      let (record, problem) = s.read(unit)
      if let problem { say(problem) }
      return record
    }
    let decision = settings.mailPolicy(for: unit).decide(
      success: report.outcome.isSuccess, previousSuccess: previous?.success)
    if decision == .mailRecovered { report.recovered = true }

    // Mail first, keeping time for the ping when there is one.
    var mailFailure: String? = nil
    if case .skip(let reason) = decision {
      say("no mail: \(reason)")
    } else if settings.mailTo.isEmpty {
      if settings.dryRun { say("no recipients (MAIL_TO): no mail would be sent") }
    } else {
      let reserve = target == nil ? 0 : min(15, deadline.remaining / 3)
      let mailDeadline = deadline.capped(to: max(0.5, deadline.remaining - reserve))
      switch sendMail(
        report: report, archive: archive, store: resend ? nil : store, spool: spool,
        deadline: mailDeadline)
      {
      case .sent: break
      case .spooled(let error):
        // Nothing is lost: the unit is not failed for a relay that is down;
        // a refusal that will not pass by itself stays loud.
        mailFailure = "\(error)"
        say("mail not sent, kept in the spool for the next run: \(error)")
        if case .failed = error { status = max(status, .refused) }
      case .lost(let error):
        mailFailure = "\(error)"
        say("mail not sent: \(error)")
        if case DeliveryError.failed? = error as? DeliveryError {
          status = max(status, .refused)
        } else {
          status = max(status, .temporaryFailure)
        }
      }
    }

    if let target {
      let extra = mailFailure.map { ["the mail could not be sent: \($0)"] } ?? []
      status = max(
        status, ping(target, report: &report, extraNotes: extra, spool: spool, deadline: deadline))
    }

    // The outcome is the unit's last, whatever happened to the report.
    if let store, !settings.dryRun, !resend {
      let record = UnitStateStore.Record(
        success: report.outcome.isSuccess, result: report.outcome.resultWord,
        invocationID: report.invocationID, time: report.createdAt)
      do {
        try store.write(unit, record)
      } catch {
        say("\(error): the next report cannot know this outcome")
      }
    }
    return status
  }

  /// The state directory's store; nil (said on stderr) when it cannot be
  /// made: every run is then mailed, as if it were the first.
  func stateStore() -> UnitStateStore? {
    let directory = UnitStateStore.defaultDirectory(
      configured: settings.stateDirectory, environment: environment)
    do {
      return try UnitStateStore(directory: directory)
    } catch {
      say("\(error): MAIL_ON=change cannot compare with the last run")
      return nil
    }
  }

  /// Reads the outcome from the environment and the log from the journal.
  func makeReport(status: inout ExitStatus, deadline: Deadline, archive: LogArchive?) -> Report {
    var notes: [String] = []
    let context = runContext(notes: &notes, deadline: deadline)
    // The invocation: the flag, else the one systemd named (or D-Bus), else
    // the unit's latest. A bad flag is not replaced by another run's log.
    var invocation: String? = nil
    var lookUpLatest = true
    if let flag = invocationFlag {
      invocation = normalizedInvocationID(flag)
      if invocation == nil {
        say(
          "--invocation-id: \"\(flag.sanitizedForDisplay(maxLength: 40))\" is not a 32-digit invocation ID"
        )
        notes.append("--invocation-id was not a valid invocation ID: the report has no log.")
        status = max(status, .usage)
      }
      lookUpLatest = false
    } else if let id = context.invocationID {
      invocation = normalizedInvocationID(id)
    }
    if invocation == nil, lookUpLatest {
      if let latest = try? InvocationLog.latestInvocation(of: unit, source: journalSource) {
        invocation = latest
        notes.append(
          "No invocation ID was given: this is the unit's latest invocation in the journal.")
      }
    }

    var report = Report(
      unit: unit, host: Host.name, outcome: context.outcome, invocationID: invocation,
      tailCapacityBytes: max(settings.bodyMaxBytes, settings.pingBodyLimit),
      createdAt: Host.nowMicroseconds)
    report.notes = notes
    report.status = context.status
    report.source = context.source.description

    if let invocation {
      readLog(invocation, into: &report, archive: archive, deadline: deadline)
    } else {
      report.notes.append(
        "No invocation of \(unit.sanitizedForDisplay(maxLength: 100)) was found: the report has no log."
      )
    }
    report.finish(renderer: renderer)
    return report
  }

  /// How this run learns the outcome, and the unit's status.
  struct RunContext {
    var source: OutcomeSource
    var outcome: RunOutcome
    var invocationID: String?
    var status: UnitStatus?
  }

  /// From MONITOR_* (an OnFailure= handler, systemd 251+), SERVICE_RESULT
  /// (ExecStopPost=), else over D-Bus from systemd itself (a handler on older
  /// systemd, or a run by hand). INVOCATION_ID is used only in the
  /// ExecStopPost= case: in a handler it is the handler's own.
  func runContext(notes: inout [String], deadline: Deadline) -> RunContext {
    let status = unitStatus(notes: &notes, deadline: deadline)
    if hasMonitorVariables {
      if let monitored = environment["MONITOR_UNIT"], !monitored.isEmpty, monitored != unit {
        say(
          "MONITOR_UNIT is \(monitored.sanitizedForDisplay(maxLength: 100)), not \(unit.sanitizedForDisplay(maxLength: 100))"
        )
      }
      return RunContext(
        source: .onFailureMonitor,
        outcome: RunOutcome(environment: environment, prefix: "MONITOR_"),
        invocationID: environment["MONITOR_INVOCATION_ID"], status: status)
    }
    if !(environment["SERVICE_RESULT"] ?? "").isEmpty {
      return RunContext(
        source: .execStopPost, outcome: RunOutcome(environment: environment),
        invocationID: environment["INVOCATION_ID"], status: status)
    }
    let source: OutcomeSource = onFailure ? .onFailureBus : .byHand
    if let status, status.result != nil {
      return RunContext(
        source: source, outcome: status.outcome, invocationID: status.invocationID, status: status)
    }
    notes.append(
      "Neither SERVICE_RESULT nor MONITOR_* was set and systemd could not be asked: the result is unknown and reported as a failure."
    )
    return RunContext(
      source: source, outcome: RunOutcome(result: nil, mainProcess: nil), status: status)
  }

  /// The unit's status over D-Bus; nil (with a note) offline or when the bus
  /// cannot be reached. Bounded to a few seconds of the deadline.
  func unitStatus(notes: inout [String], deadline: Deadline) -> UnitStatus? {
    guard journalSource == .local else {
      notes.append("No unit status: the journal was read from files, not from this system.")
      return nil
    }
    do {
      let bus = try SystemBus(timeout: min(5, deadline.remaining / 4))
      return try UnitStatusReader.read(unit, bus: bus)
    } catch {
      notes.append("No unit status: \(error).")
      say("\(error)")
      return nil
    }
  }

  /// A message longer than this goes to the archive without being copied.
  static let hugeMessage = 1 << 16

  /// Adds the invocation's journal entries, and notes on what may be missing.
  func readLog(
    _ invocation: String, into report: inout Report, archive: LogArchive?, deadline: Deadline
  ) {
    let settle: Double
    if case .files = journalSource { settle = 0 } else { settle = settings.journalSettle }
    do {
      let log = InvocationLog(source: journalSource, invocationID: invocation, unit: unit)
      var line: [UInt8] = []
      // Half the time at most, so that mail and ping keep theirs.
      let readDeadline = deadline.capped(to: deadline.remaining / 2)
      // Enough of the log's end for the body and a full attachment.
      let tailEntries = max(settings.bodyMaxLines, 50_000)
      // Not its own lines: from ExecStopPost= it runs in the invocation,
      // and what it said about other reports (the spool) is not the run's.
      let result = try log.read(
        settle: settle, deadline: readDeadline, tailEntries: tailEntries, excludingPID: getpid()
      ) { record in
        report.add(record, renderer: renderer)
        if let archive {
          if record.message.count > Self.hugeMessage {
            // In pieces: a 100 MB line is not copied into `line` (which
            // would then keep that capacity) nor into the archive's buffer.
            try archive.append(renderer.exactLinePrefix(record))
            try archive.append(UTF8Repair.repaired(record.message))
            try archive.append([0x0A])
          } else {
            line.removeAll(keepingCapacity: true)
            renderer.appendExactLine(record, to: &line)
            try archive.append(line)
          }
        }
      }
      if !result.journalReadable {
        report.notes.append(
          "No journal file could be opened: run notify-unit as root or as a member of the systemd-journal group to include the log."
        )
        say("no journal file could be opened (permissions?): the report has no log")
      }
      if result.linesWithoutInvocation > 0 {
        report.notes.append(
          "journald stored \(result.linesWithoutInvocation) line(s) of \(unit) without their invocation (their process had ended before it read them): they are taken by the unit's name from this run's start on."
        )
      }
      if result.middleLeftOut {
        report.notes.append(
          "The log was too long to read whole within the time limit (TIMEOUT): its start and its last \(tailEntries) entries are here, the middle is left out (journalctl --invocation=\(invocation) shows it all)."
        )
        say("the log was too long to read whole in time: its middle is left out")
      }
      if !result.complete {
        report.notes.append(
          "Reading the journal took half of the run's deadline: the log stops early, the rest is in the journal."
        )
        say("the journal was not read to its end before the deadline")
      }
      if !result.settled {
        report.notes.append(
          "journald was still storing this invocation's lines after \(formatDuration(settle)): the log may lack its last lines."
        )
      }
    } catch {
      report.notes.append("The journal could not be read: \(error).")
      say("\(error)")
    }
  }

  func composer(for report: Report) -> MailComposer {
    let sender = settings.mailFrom ?? .defaultSender(host: report.host)
    let mail = MailSettings(
      recipients: settings.mailTo, sender: sender, bodyMaxLines: settings.bodyMaxLines,
      bodyMaxBytes: settings.bodyMaxBytes, attachmentMaxBytes: settings.attachmentMaxBytes)
    return MailComposer(report: report, settings: mail, renderer: renderer, nonce: Host.randomHex())
  }

  enum MailResult {
    case sent
    /// Not taken by sendmail, and kept in the spool.
    case spooled(DeliveryError)
    case lost(Error)
  }

  /// Writes the message as the unit's last report (for resend and the
  /// spool), then hands that file to sendmail. Without a state directory,
  /// streams it to sendmail directly.
  func sendMail(
    report: Report, archive: LogArchive?, store: UnitStateStore?, spool: Spool?,
    deadline: Deadline
  ) -> MailResult {
    let composer = composer(for: report)
    do {
      if settings.dryRun {
        let out = FileDescriptorSink(fd: 1, deadline: nil, what: "stdout")
        try composer.write(to: out, archive: archive)
        try out.flush()
        return .sent
      }
      let transport = mailTransport(settings, host: report.host)
      var saved: String? = nil
      if let store {
        do {
          saved = try store.saveReport(unit) { try composer.write(to: $0, archive: archive) }
        } catch {
          say("\(error): the report is not kept for resend or the spool")
        }
      }
      guard let saved else {
        try transport.send(deadline: deadline) { try composer.write(to: $0, archive: archive) }
        say("mail sent to \(settings.mailTo.count) recipient(s) through \(transport.name)")
        return .sent
      }
      // In the spool before it is sent, locked while it is: a run killed
      // half-way loses nothing, and a flush elsewhere does not send it twice.
      var pending: (path: String, lock: Int32?)? = nil
      if let spool {
        do {
          let path = try spool.addMail(
            file: saved, unit: unit, created: report.createdAt,
            reason: "notify-unit stopped before the mail was handed over")
          pending = (path, spool.lock(path))
        } catch {
          say("\(error): an undelivered mail could not be kept")
        }
      }
      defer { if let fd = pending?.lock { close(fd) } }
      do {
        try transport.send(file: saved, headers: [], deadline: deadline)
      } catch let error as DeliveryError {
        guard let spool, let pending else { return .lost(error) }
        try? spool.setReason(pending.path, "\(error)")
        return .spooled(error)
      }
      if let pending { spool?.remove(path: pending.path) }
      say("mail sent to \(settings.mailTo.count) recipient(s) through \(transport.name)")
      return .sent
    } catch {
      return .lost(error)
    }
  }

  func ping(
    _ target: PingTarget, report: inout Report, extraNotes: [String], spool: Spool?,
    deadline: Deadline
  ) -> ExitStatus {
    let success = report.outcome.isSuccess
    let rid = report.invocationID.flatMap(ridFromInvocationID)
    let snapshot = report
    let makeBody = { (limit: Int) in
      PingBody.make(report: snapshot, limit: limit, extraNotes: extraNotes)
    }
    if settings.dryRun {
      let body = makeBody(settings.pingBodyLimit)
      Host.printError(
        "ping: POST \(target.redactedURL(success: success, rid: rid)) (\(body.count) bytes)")
      Host.printError(String(decoding: body, as: UTF8.self))
      return .delivered
    }
    // Pings keep their order: behind a ping of this unit still in the spool,
    // this one waits its turn there.
    if let spool,
      spool.entries().contains(where: { $0.kind == .ping && $0.unit == unit })
    {
      do {
        try spool.addPing(
          url: target.url(success: success, rid: rid), unit: unit, created: report.createdAt,
          body: makeBody(settings.pingBodyLimit), reason: "an earlier ping is still waiting")
        say(
          "ping kept in the spool behind an earlier one of \(unit.sanitizedForDisplay(maxLength: 100))"
        )
        return .delivered
      } catch {
        say("\(error)")
      }
    }
    // In the spool before it is sent (see sendMail), removed once done.
    var pending: (path: String, lock: Int32?)? = nil
    if let spool {
      if let path = try? spool.addPing(
        url: target.url(success: success, rid: rid), unit: unit, created: report.createdAt,
        body: makeBody(settings.pingBodyLimit),
        reason: "notify-unit stopped before the ping was answered")
      {
        pending = (path, spool.lock(path))
      }
    }
    defer { if let fd = pending?.lock { close(fd) } }
    let pinger = HealthchecksPinger(
      target: target, policy: RetryPolicy(maxAttempts: settings.pingRetries + 1),
      requestTimeout: settings.pingTimeout, log: say)
    let outcome = pinger.ping(
      success: success, rid: rid, bodyLimit: settings.pingBodyLimit, deadline: deadline,
      body: makeBody)
    if let server = outcome.serverBodyLimit, server < settings.pingBodyLimit {
      say("the server keeps \(server) bytes of a ping body: set PING_BODY_LIMIT=\(server)")
    }
    if outcome.delivered || outcome.permanent, let pending { spool?.remove(path: pending.path) }
    if outcome.delivered { return .delivered }
    say("ping not delivered after \(outcome.attempts) tries: \(outcome.failure)")
    // A refusal (4xx) will not pass by itself: loud, not spooled.
    guard !outcome.permanent else { return .refused }
    guard let spool, let pending else { return .temporaryFailure }
    try? spool.setReason(pending.path, outcome.failure)
    say("ping kept in the spool for the next run")
    return .delivered
  }
}

/// Where a run's outcome came from, as the report names it.
enum OutcomeSource: CustomStringConvertible {
  case execStopPost, onFailureMonitor, onFailureBus, byHand

  var description: String {
    switch self {
    case .execStopPost: "ExecStopPost= (SERVICE_RESULT)"
    case .onFailureMonitor: "OnFailure= handler (MONITOR_*)"
    case .onFailureBus: "OnFailure= handler (read from systemd over D-Bus)"
    case .byHand: "by hand"
    }
  }
}
