import NotifyUnitCore

#if canImport(Glibc)
  import Glibc
#endif

/// Writes a message to a file descriptor (sendmail's stdin, or stdout),
/// buffered, and never past a deadline: a reader that stops reading cannot
/// hang notify-unit.
public final class FileDescriptorSink: ByteSink {
  public let fd: Int32
  let deadline: Deadline?
  let what: String
  private var buffer: [UInt8] = []
  static let bufferSize = 64 * 1024

  /// With a deadline the descriptor is made non-blocking.
  public init(fd: Int32, deadline: Deadline?, what: String) {
    self.fd = fd
    self.deadline = deadline
    self.what = what
    buffer.reserveCapacity(Self.bufferSize)
    // Should this fail (it cannot for a pipe this process made), the writes
    // block, and the child's deadline in `ChildProcess.wait` still bounds
    // the run once the pipe is closed; a reader that stops reading before
    // could hold it, which is why the flags are read and set apart.
    if deadline != nil {
      let flags = fcntl(fd, F_GETFL)
      if flags >= 0 { _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK) }
    }
  }

  public func write(_ bytes: [UInt8]) throws {
    buffer += bytes
    if buffer.count >= Self.bufferSize { try flush() }
  }

  public func flush() throws {
    var offset = 0
    defer { buffer.removeAll(keepingCapacity: true) }
    while offset < buffer.count {
      let n = buffer.withUnsafeBytes { raw in
        Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
      }
      if n >= 0 {
        offset += n
        continue
      }
      let e = errno  // read before anything else can change it
      switch e {
      case EINTR: continue
      case EAGAIN:
        guard let deadline, !deadline.hasPassed else {
          throw DeliveryError.timedOut("\(what) stopped reading its input before the deadline")
        }
        var pfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        _ = poll(&pfd, 1, Int32(min(deadline.remaining * 1000 + 1, 1000)))
      case EPIPE:
        throw DeliveryError.failed("\(what) closed its input before the whole message was written")
      default:
        throw DeliveryError.failed("writing to \(what) failed: \(String(cString: strerror(e)))")
      }
    }
  }
}
