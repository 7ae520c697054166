import ArgumentParser
import NotifyUnitCore
import NotifyUnitPipeline
import NotifyUnitSystem

/// `notify-unit test [--ping CHECK]`: a test mail the way reports are
/// mailed, and a state-neutral `/log` ping, each said where it went.
struct TestCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "test",
    abstract: "Send a test mail (and with --ping a Healthchecks /log ping) as reports are sent.",
    discussion: """
      The mail's Subject starts with [TEST]; it goes to MAIL_TO through
      sendmail or SMTP_URL, as a report would. --ping CHECK sends CHECK/log,
      which Healthchecks shows in the check's log without marking it up or
      down. Prints what was delivered where.

      Exit status: 0 delivered; 64 nothing to test or a bad CHECK; 69 refused
      (sendmail missing or failing, Healthchecks 4xx); 75 not delivered for
      now (relay or network down).

      Examples:
        notify-unit test
        notify-unit test --mail-to me@example.org --ping env:HC_BACKUP
      """)

  @Option(help: "Also send a /log ping to this check (UUID, PING-KEY/SLUG, URL, env:, file:).")
  var ping: String?

  @OptionGroup var configFile: ConfigFileOption

  @OptionGroup var mail: MailOptions
  @OptionGroup var pingOptions: PingOptions

  @Option(help: "Deadline in seconds. [TIMEOUT, default 45]")
  var timeout: String?

  func run() throws {
    let flags =
      mail.flagValues + pingOptions.flagValues + keyedFlags([], [("TIMEOUT", timeout)])
    let settings = try configFile.settings(flags: flags)
    var status = ExitStatus.delivered
    if settings.mailTo.isEmpty && ping == nil {
      say("nothing to test: no recipient (MAIL_TO or --mail-to) and no --ping CHECK")
      throw ExitCode(ExitStatus.usage.rawValue)
    }
    let deadline = Deadline(secondsFromNow: settings.timeout)
    if settings.mailTo.isEmpty {
      say("no recipient (MAIL_TO or --mail-to): no test mail")
    } else {
      status = max(status, sendMail(settings, deadline: deadline))
    }
    if let ping {
      status = max(status, sendPing(ping, settings, deadline: deadline))
    }
    if status != .delivered { throw ExitCode(status.rawValue) }
  }

  func sendMail(_ settings: Settings, deadline: Deadline) -> ExitStatus {
    let host = Host.name
    let transport = mailTransport(settings, host: host)
    let mail = TestMail(
      sender: settings.mailSender(host: host, domain: MailDomain.local),
      recipients: settings.mailRecipients(domain: MailDomain.local),
      host: host, time: Host.nowMicroseconds, nonce: Host.randomHex(), transport: transport.name)
    let recipients = settings.mailRecipients(domain: MailDomain.local).map(\.address).joined(
      separator: ", ")
    do {
      let bytes = mail.bytes
      try transport.send(deadline: deadline.capped(to: max(1, deadline.remaining / 2))) {
        try $0.write(bytes)
      }
      print("test mail \(mail.messageID) handed to \(transport.name) for \(recipients)")
      return .delivered
    } catch {
      say(
        "the test mail to \(recipients) was not taken by \(transport.name): \(error)",
        priority: .error)
      if case DeliveryError.failed? = error as? DeliveryError { return .refused }
      return .temporaryFailure
    }
  }

  func sendPing(_ check: String, _ settings: Settings, deadline: Deadline) -> ExitStatus {
    let target: PingTarget
    do throws(ConfigurationError) {
      guard let resolved = try pingTarget(check, settings) else {
        say("--ping \(check.sanitizedForDisplay(maxLength: 80)): the variable is unset or empty")
        return .usage
      }
      target = resolved
    } catch {
      say("--ping: \(error)")
      return .usage
    }
    let shown = target.redactedURL(path: "/log", rid: nil)
    let body = Array(
      "notify-unit test from \(Host.name.sanitizedForDisplay(maxLength: 100)): a /log ping, which changes no state\n"
        .utf8)
    let outcome = HealthchecksPinger(
      target: target, policy: RetryPolicy(maxAttempts: settings.pingRetries + 1),
      requestTimeout: settings.pingTimeout, log: { _ in }
    ).ping(
      url: target.url(path: "/log", rid: nil), shown: shown, bodyLimit: body.count,
      deadline: deadline
    ) { _ in body }
    guard outcome.delivered else {
      say(
        "the test ping to \(shown) was not delivered after \(outcome.attempts) tries: \(outcome.failure)"
      )
      return outcome.permanent ? .refused : .temporaryFailure
    }
    print("test ping delivered to \(shown)")
    return .delivered
  }
}
