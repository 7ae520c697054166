import NotifyUnitCompression
import NotifyUnitCore
import NotifyUnitSystem

#if canImport(Glibc)
  import Glibc
#endif

/// The report as a MIME mail (MAIL_TO), through sendmail or SMTP_URL. The
/// message is written once, as the unit's last report (for resend and the
/// spool), and that file is handed to the transport.
public struct MailChannel: Channel {
  public let name = "mail"
  public let policyKey = "MAIL_ON"
  public var wantsLogArchive: Bool { settings.attachmentMaxBytes > 0 }
  public var settings: Settings
  public var renderer: LogRenderer
  public var log: (String) -> Void

  public init(settings: Settings, renderer: LogRenderer, log: @escaping (String) -> Void = say) {
    self.settings = settings
    self.renderer = renderer
    self.log = log
  }

  /// The attachment's compressor: the mail's and the archive's that
  /// compresses the log while it is read (`CompressingLogArchive`).
  static let compressor = Gzip()

  func composer(for report: Report) -> MailComposer {
    let mail = MailSettings(
      recipients: settings.mailRecipients(domain: MailDomain.local),
      sender: settings.mailSender(host: report.host, domain: MailDomain.local),
      bodyMaxLines: settings.bodyMaxLines,
      bodyMaxBytes: settings.bodyMaxBytes, attachmentMaxBytes: settings.attachmentMaxBytes)
    return MailComposer(
      report: report, settings: mail, renderer: renderer, nonce: Host.randomHex(),
      compressor: Self.compressor)
  }

  public func deliver(_ delivery: Delivery, deadline: Deadline) -> ChannelResult {
    switch send(delivery, deadline: deadline) {
    case .sent:
      return .delivered
    case .spooled(let error):
      // A refusal that will not pass by itself stays loud.
      log(Priority.warning.tag("mail not sent, kept in the spool for the next run: \(error)"))
      if case .failed = error { return .refused(reason: "\(error)", kept: true) }
      return .spooled(reason: "\(error)")
    case .lost(let error):
      log(Priority.error.tag("mail not sent: \(error)"))
      if case DeliveryError.failed? = error as? DeliveryError {
        return .refused(reason: "\(error)", kept: false)
      }
      return .retryLater(reason: "\(error)")
    }
  }

  enum SendResult {
    case sent
    /// Not taken by the transport, and kept in the spool.
    case spooled(DeliveryError)
    case lost(Error)
  }

  /// Writes the message as the unit's last report, then hands that file to
  /// the transport. Without a state directory, streams it directly.
  func send(_ delivery: Delivery, deadline: Deadline) -> SendResult {
    let report = delivery.report
    let archive = delivery.archive
    let unit = report.unit
    let composer = composer(for: report)
    do {
      if delivery.dryRun {
        let out = FileDescriptorSink(fd: 1, deadline: nil, what: "stdout")
        try composer.write(to: out, archive: archive)
        try out.flush()
        return .sent
      }
      let transport = mailTransport(settings, host: report.host)
      // In the spool before it is sent, locked from before it is seen there:
      // a run killed half-way loses nothing, and a flush elsewhere does not
      // send it twice. Linked from the report as this run wrote it (the
      // unit's last report may be another run's by the time it is sent).
      let spool = delivery.spool
      var pending: Spool.Claim? = nil
      defer { pending?.release() }
      var saved: String? = nil
      if let store = delivery.store {
        do {
          saved = try store.saveReport(
            unit, { try composer.write(to: $0, archive: archive) },
            whenWritten: { written in
              guard let spool else { return }
              do {
                pending = try spool.addMail(
                  written, unit: unit, created: report.createdAt,
                  reason: "notify-unit stopped before the mail was handed over")
                if let problem = pending?.reasonProblem { log(Priority.warning.tag(problem)) }
              } catch {
                log(Priority.warning.tag("\(error): an undelivered mail could not be kept"))
              }
            })
        } catch {
          log(Priority.warning.tag("\(error): the report is not kept for resend"))
        }
      }
      guard let file = pending?.path ?? saved else {
        try transport.send(deadline: deadline) { try composer.write(to: $0, archive: archive) }
        log("mail sent to \(settings.mailTo.count) recipient(s) through \(transport.name)")
        return .sent
      }
      do {
        try transport.send(file: file, headers: [], deadline: deadline)
      } catch let error as DeliveryError {
        guard let spool, let pending else { return .lost(error) }
        do {
          try spool.setReason(pending.path, "\(error)")
        } catch {
          log(Priority.warning.tag("\(error): the spooled mail keeps its first reason"))
        }
        return .spooled(error)
      }
      if let pending { spool?.remove(path: pending.path) }
      log("mail sent to \(settings.mailTo.count) recipient(s) through \(transport.name)")
      return .sent
    } catch {
      return .lost(error)
    }
  }
}

/// How mail leaves: SMTP when SMTP_URL is set (the envelope from MAIL_FROM
/// and MAIL_TO), else sendmail.
public func mailTransport(_ settings: Settings, host: String) -> MailTransport {
  guard let relay = settings.smtpRelay else { return Sendmail(path: settings.sendmail) }
  return SMTPSubmission(
    relay: relay, sender: settings.mailSender(host: host, domain: MailDomain.local).address,
    recipients: settings.mailRecipients(domain: MailDomain.local).map(\.address))
}
