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
    // SIGPIPE that kills notify-unit before it can ping: the entry point
    // (NotifyUnit.main) ignores SIGPIPE for the whole process.
    let child: ChildProcess
    do {
      child = try ChildProcess(path: path, arguments: Self.arguments)
    } catch {
      // A wrong SENDMAIL path is a misconfiguration: loud, though spooled.
      throw DeliveryError.failed(error.description)
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

extension Sendmail {
  /// Sends the message stored in `path`, after `headers` (lines, each
  /// ending in "\n") put in front of it.
  public func send(file path: String, headers: [UInt8] = [], deadline: Deadline) throws {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else {
      throw DeliveryError.failed("cannot read \(path): \(String(cString: strerror(errno)))")
    }
    defer { close(fd) }
    try send(deadline: deadline) { sink in
      if !headers.isEmpty { try sink.write(headers) }
      var chunk = [UInt8](repeating: 0, count: 1 << 16)
      while true {
        let n = read(fd, &chunk, chunk.count)
        if n < 0, errno == EINTR { continue }
        guard n >= 0 else { throw DeliveryError.failed("cannot read \(path)") }
        if n == 0 { break }
        try sink.write(Array(chunk[..<n]))
      }
    }
  }
}
