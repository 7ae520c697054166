import NotifyUnitCore
import NotifyUnitSystem

#if canImport(Glibc)
  import Glibc
#endif

/// The pipeline's second stage: the run's log lines, into the report (and
/// the exact log into the mail's attachment archive).
public protocol LogCollector {
  /// The unit's latest invocation, when none was named.
  func latestInvocation(of unit: String) -> String?
  /// Why the journal cannot be read here, nil when it can.
  func journalProblem() -> String?
  /// Adds the invocation's lines to `report`, and notes on what may be missing.
  func collect(
    _ invocation: String, unit: String, into report: inout Report, archive: LogArchive?,
    deadline: Deadline)
}

extension LogCollector {
  public func journalProblem() -> String? { nil }
}

extension Settings {
  /// Where the journal is read: JOURNAL_FILE, JOURNAL_DIRECTORY, else this system's.
  public var journalSource: JournalSource {
    if !journalFiles.isEmpty { return .files(journalFiles) }
    if let journalDirectory { return .directory(journalDirectory) }
    return .local
  }
}

/// The invocation's entries from sd-journal, waiting up to JOURNAL_SETTLE
/// for journald to store the last ones.
public struct JournalLogCollector: LogCollector {
  public var source: JournalSource
  public var settle: Double
  /// Enough of the log's end for the body and a full attachment.
  public var tailEntries: Int
  public var renderer: LogRenderer
  public var log: (String) -> Void

  public init(settings: Settings, renderer: LogRenderer, log: @escaping (String) -> Void = say) {
    source = settings.journalSource
    // Closed files are complete: nothing to wait for.
    if case .files = source { settle = 0 } else { settle = settings.journalSettle }
    tailEntries = max(settings.bodyMaxLines, 50_000)
    self.renderer = renderer
    self.log = log
  }

  /// A message longer than this goes to the archive without being copied.
  static let hugeMessage = 1 << 16

  /// Nil when the journal names none or cannot be opened: the assembler
  /// then asks `journalProblem()`, which says why.
  public func latestInvocation(of unit: String) -> String? {
    try? InvocationLog.latestInvocation(of: unit, source: source)
  }

  public func journalProblem() -> String? {
    do {
      let journal = try Journal(source)
      guard source == .local, !journal.hasFiles else { return nil }
      return Self.unreadableReason()
    } catch {
      return "\(error)"
    }
  }

  /// Why no journal file could be opened: sd-journal skips the files it may
  /// not read, so it is the user's rights, most likely; root reads every
  /// file, so for root there is none.
  public static func unreadableReason(uid: uid_t = getuid()) -> String {
    if uid == 0 {
      return
        "no journal file exists in /var/log/journal or /run/log/journal: is systemd-journald running here?"
    }
    let name =
      getpwuid(uid).flatMap { String(validatingCString: $0.pointee.pw_name) } ?? "uid \(uid)"
    return
      "no journal file is readable by the user \(name) (uid \(uid)), who is neither root nor in the systemd-journal group"
  }

  public func collect(
    _ invocation: String, unit: String, into report: inout Report, archive: LogArchive?,
    deadline: Deadline
  ) {
    do {
      let journal = InvocationLog(source: source, invocationID: invocation, unit: unit)
      var line: [UInt8] = []
      // Half the time at most, so that the channels keep theirs.
      let readDeadline = deadline.capped(to: deadline.remaining / 2)
      // Not its own lines: from ExecStopPost= it runs in the invocation,
      // and what it said about other reports (the spool) is not the run's.
      let renderer = self.renderer
      // From ExecStopPost= (notify-unit runs in the invocation it reports,
      // its main process has exited), journald's stream files tell when the
      // last lines are stored.
      let inTheRun = Host.environment["INVOCATION_ID"] == invocation && source == .local
      let result = try journal.read(
        settle: settle, deadline: readDeadline, tailEntries: tailEntries, excludingPID: getpid(),
        streams: inTheRun ? InvocationLog.StreamSignal() : nil
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
        let why = Self.unreadableReason()
        report.notes.append(
          "The journal could not be opened: \(why). Run notify-unit as root or as a member of the systemd-journal group to include the log."
        )
        log("the journal could not be opened: \(why): the report has no log")
      }
      if result.droppedInRun > 0 {
        report.notes.append(
          "journald's rate limit dropped \(result.droppedInRun) line(s) of this run (\(unit) has no LogRateLimitBurst= high enough; notify-unit doctor \(unit) shows how to lift it): the log, and the journal, lack them."
        )
        log("journald dropped \(result.droppedInRun) line(s) of this run (rate limit)")
      }
      if result.droppedBeforeRun > 0 {
        report.notes.append(
          "journald's rate limit had dropped \(result.droppedBeforeRun) line(s) of \(unit) before this run (its previous run's log lacks them; journald tells only once its interval has ended)."
        )
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
        log("the log was too long to read whole in time: its middle is left out")
      }
      if !result.complete {
        report.notes.append(
          "Reading the journal took half of the run's deadline: the log stops early, the rest is in the journal."
        )
        log("the journal was not read to its end before the deadline")
      }
      if !result.settled {
        report.notes.append(
          "journald was still storing this invocation's lines after \(formatDuration(settle)): the log may lack its last lines."
        )
      }
    } catch {
      report.notes.append("The journal could not be read: \(error).")
      log("\(error)")
    }
  }
}
