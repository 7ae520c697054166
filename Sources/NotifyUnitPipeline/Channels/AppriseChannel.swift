import NotifyUnitCore
import NotifyUnitSystem

#if canImport(Glibc)
  import Glibc
#endif

/// The report handed to the `apprise` command (Debian's apprise package)
/// with the file of Apprise URLs (APPRISE_URLS), which reaches Telegram,
/// Matrix, Discord, Pushover, Gotify, Teams and many more. The body goes
/// on stdin, never on the command line; apprise's own output is discarded,
/// since it may print the URLs it was given, which hold their tokens.
public struct AppriseChannel: Channel {
  public static let channelName = "apprise"
  public let name = AppriseChannel.channelName
  public let policyKey = "APPRISE_ON"
  public let wantsLogArchive = false
  public var urlsFile: String
  public var program: String
  public var log: (String) -> Void

  /// A chat message is read on a phone: the log's end, a few KiB.
  static let maxBodyBytes = 3500

  public init(urlsFile: String, program: String, log: @escaping (String) -> Void = say) {
    self.urlsFile = urlsFile
    self.program = program
    self.log = log
  }

  /// What apprise's exit status means (its cli.py): 0 sent; 1 a service
  /// failed (worth another try); 2 a bad argument; 3 nothing to notify
  /// (every URL tagged, or none).
  static func result(exitStatus: Int32, urlsFile: String) -> ChannelResult {
    switch exitStatus {
    case 0: .delivered
    case 1: .retryLater(reason: "apprise could not notify every service (exit status 1)")
    case 3:
      .refused(
        reason:
          "apprise found nothing to notify in \(urlsFile) (exit status 3): give it untagged URLs, one a line",
        kept: false)
    default: .refused(reason: "apprise exited with status \(exitStatus)", kept: false)
    }
  }

  public func deliver(_ delivery: Delivery, deadline: Deadline) -> ChannelResult {
    let message = PushMessage(report: delivery.report, maxBodyBytes: Self.maxBodyBytes)
    let arguments = Self.arguments(
      title: message.title, type: message.appriseType, urlsFile: urlsFile)
    if delivery.dryRun {
      Host.printError("apprise: \(program) \(arguments.joined(separator: " ")) < body")
      Host.printError(message.body)
      return .delivered
    }
    guard access(program, X_OK) == 0 else {
      let reason =
        "APPRISE_URLS is set but \(program) cannot be run: install Debian's apprise package (apt-get install apprise)"
      log(reason)
      return .refused(reason: reason, kept: false)
    }
    if Host.isReadableByOthers(urlsFile) {
      log(
        "\(urlsFile) holds Apprise URLs with their tokens and every user can read it: chmod o-r \(urlsFile)"
      )
    }
    // Spooled: the message (title, type, body) and its destination (the
    // URL file), never the program, which a flush takes from its settings.
    var request = SpooledRequest(channel: name, target: urlsFile, body: Array(message.body.utf8))
    request.arguments = ["-t", message.title, "-n", message.appriseType]
    return RequestSpooling.deliver(
      request, unit: delivery.report.unit, created: delivery.report.createdAt,
      spool: delivery.spool, log: log
    ) {
      let result = Self.run(
        program: program, arguments: arguments, body: request.body, deadline: deadline)
      if let failure = result.failure {
        log(Priority.warning.tag("apprise: \(failure)"))
      } else {
        log("apprise: notified the services in \(urlsFile)")
      }
      return result
    }
  }

  /// apprise's command line: the message's title and type, the URL file.
  static func arguments(title: String, type: String, urlsFile: String) -> [String] {
    ["-t", title, "-n", type, "-c", urlsFile]
  }

  /// A spooled report's one more try, for the flush: the program and the
  /// URL file from `settings`; only the title and type (`-t`, `-n`) and the
  /// body from the entry (an older entry's program and `-c` are ignored).
  static func retry(_ request: SpooledRequest, settings: Settings, deadline: Deadline)
    -> ChannelResult
  {
    guard let urlsFile = settings.appriseURLsFile else {
      return .retryLater(
        reason: "APPRISE_URLS is not set in this flush's configuration: set it, or remove the entry"
      )
    }
    guard access(settings.apprise, X_OK) == 0 else {
      return .retryLater(
        reason:
          "\(settings.apprise) cannot be run: install Debian's apprise package (apt-get install apprise)"
      )
    }
    func value(after flag: String) -> String {
      guard let i = request.arguments.firstIndex(of: flag), i + 1 < request.arguments.count else {
        return ""
      }
      return request.arguments[i + 1]
    }
    return run(
      program: settings.apprise,
      arguments: arguments(title: value(after: "-t"), type: value(after: "-n"), urlsFile: urlsFile),
      body: request.body, deadline: deadline)
  }

  /// Runs apprise once with `body` on its stdin, its output discarded.
  static func run(program: String, arguments: [String], body: [UInt8], deadline: Deadline)
    -> ChannelResult
  {
    let child: ChildProcess
    do {
      child = try ChildProcess(path: program, arguments: arguments, discardOutput: true)
    } catch {
      return .refused(reason: "\(error)", kept: false)
    }
    let sink = FileDescriptorSink(fd: child.input, deadline: deadline, what: "apprise")
    // apprise may exit before it reads all: its exit status says what happened.
    _ = try? sink.write(body)
    _ = try? sink.flush()
    child.closeInput()
    switch child.wait(until: deadline) {
    case nil:
      return .retryLater(reason: "apprise did not finish before the deadline and was stopped")
    case .signalled(let signal)?:
      return .retryLater(reason: "apprise was killed by signal \(signal)")
    case .exited(let status)?:
      let urlsFile = arguments.last ?? "its URL file"
      return Self.result(exitStatus: status, urlsFile: urlsFile)
    }
  }
}
