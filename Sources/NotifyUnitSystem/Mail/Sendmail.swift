import NotifyUnitCore

#if canImport(Glibc)
  import Glibc
#endif

/// Hands a message to the local MTA with `sendmail -t -oi -odi`:
/// `-t` takes the recipients from To:; `-oi` keeps a line holding only "."
/// from ending the message (a log line "." would cut the mail silently);
/// `-odi` has exim deliver before sendmail returns, instead of in a forked
/// child that systemd kills with the unit (the mail then waits in the queue
/// for its next run, or is delivered twice). Postfix and msmtp ignore -odi.
public struct Sendmail {
  public var path: String

  public init(path: String) { self.path = path }

  public static let arguments = ["-t", "-oi", "-odi"]

  /// Starts sendmail, lets `write` stream the message into it, and checks
  /// its exit status, all before `deadline`.
  public func send(deadline: Deadline, _ write: (ByteSink) throws -> Void) throws {
    // sendmail exiting early must be an error to report (EPIPE), not a
    // SIGPIPE that kills notify-unit before it can ping.
    signal(SIGPIPE, SIG_IGN)
    let child: ChildProcess
    do {
      child = try ChildProcess(path: path, arguments: Self.arguments)
    } catch {
      throw DeliveryError.temporary(error.description)
    }
    let sink = FileDescriptorSink(fd: child.input, deadline: deadline, what: "sendmail")
    var writeError: Error? = nil
    do {
      try write(sink)
      try sink.flush()
    } catch {
      writeError = error
    }
    child.closeInput()
    let termination = child.wait(until: deadline)
    switch termination {
    case nil:
      throw DeliveryError.timedOut("sendmail did not finish before the deadline and was stopped")
    case .signalled(let signal)?:
      throw DeliveryError.temporary("sendmail was killed by signal \(signal)")
    case .exited(0)?:
      if let writeError { throw writeError }
    case .exited(let status)?:
      let name =
        status == 75 ? " (EX_TEMPFAIL: try again later)" : status == 69 ? " (EX_UNAVAILABLE)" : ""
      let message = "sendmail exited with status \(status)\(name)"
      throw status == 75 ? DeliveryError.temporary(message) : DeliveryError.failed(message)
    }
  }
}
