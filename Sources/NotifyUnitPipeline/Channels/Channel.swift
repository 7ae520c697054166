import NotifyUnitCore
import NotifyUnitSystem

/// One way a report reaches people: mail, Healthchecks, ... Given the report
/// and a deadline, a channel delivers it, keeps it in the shared spool for
/// a later run, or says why it could not. Each says on stderr what it did;
/// the pipeline turns results into the exit status.
public protocol Channel {
  /// Its name in messages: "mail", "ping".
  var name: String { get }
  /// Its policy key (MAIL_ON, HC_ON): when it reports a run.
  var policyKey: String { get }
  /// Whether it sends the exact log, so that the log stage keeps one.
  var wantsLogArchive: Bool { get }
  /// Whether it holds back a failure that raises no alarm (ALERT_AFTER,
  /// REMIND_EVERY): mail and push do; Healthchecks sees every run.
  var followsAlerts: Bool { get }
  func deliver(_ delivery: Delivery, deadline: Deadline) -> ChannelResult
}

extension Channel {
  public var followsAlerts: Bool { true }
}

/// What every channel is handed: the report and the shared places.
public struct Delivery {
  public var report: Report
  /// The exact log, when a channel asked for it and it could be kept.
  public var archive: LogArchive?
  /// Where undelivered reports wait for the next run or flush.
  public var spool: Spool?
  /// Where the unit's last report is kept for resend; nil for a resend.
  public var store: UnitStateStore?
  public var dryRun: Bool
  /// What went wrong on the channels before this one, one sentence each,
  /// for a channel that can still tell it.
  public var earlierFailures: [String] = []

  public init(
    report: Report, archive: LogArchive?, spool: Spool?, store: UnitStateStore?, dryRun: Bool
  ) {
    self.report = report
    self.archive = archive
    self.spool = spool
    self.store = store
    self.dryRun = dryRun
  }
}

public enum ChannelResult: Equatable, Sendable {
  case delivered
  /// Not delivered now, kept in the spool: nothing is lost, and the unit is
  /// not failed for a peer that is down.
  case spooled(reason: String)
  /// Neither delivered nor kept; a later try may work.
  case retryLater(reason: String)
  /// Refused for a reason that will not pass by itself (a 4xx, a failing
  /// sendmail); `kept` when it waits in the spool all the same.
  case refused(reason: String, kept: Bool)

  /// What it does to notify-unit's exit status.
  public var exitStatus: ExitStatus {
    switch self {
    case .delivered, .spooled: .delivered
    case .retryLater: .temporaryFailure
    case .refused: .refused
    }
  }

  /// One line for the unit's state (`notify-unit status`).
  public var summary: String {
    let text: String
    switch self {
    case .delivered: text = "sent"
    case .spooled(let reason): text = "kept in the spool: \(reason)"
    case .retryLater(let reason): text = "not sent: \(reason)"
    case .refused(let reason, let kept):
      text = "refused: \(reason)" + (kept ? " (kept in the spool)" : "")
    }
    return text.sanitizedForDisplay(maxLength: 200)
  }

  /// Why it was not delivered, nil when it was.
  public var failure: String? {
    switch self {
    case .delivered: nil
    case .spooled(let reason), .retryLater(let reason), .refused(let reason, _): reason
    }
  }
}
