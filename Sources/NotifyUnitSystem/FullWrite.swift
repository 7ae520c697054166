#if canImport(Glibc)
  import Glibc
#endif

/// Writes all of `bytes` to the blocking descriptor `fd`, however many
/// `write` calls that takes (a pipe, a signal, a full disk cut a write
/// short); nil when all were written, else the errno of the call that
/// failed, read right after it. The one full-write loop for blocking
/// descriptors; `FileDescriptorSink` is the one for non-blocking ones with a
/// deadline.
public func writeFully(_ fd: Int32, _ bytes: [UInt8]) -> Int32? {
  var offset = 0
  while offset < bytes.count {
    let n = bytes.withUnsafeBytes { raw in
      Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
    }
    if n < 0 {
      let e = errno
      if e == EINTR { continue }
      return e
    }
    // A regular file, a pipe or a terminal never takes 0 bytes of a
    // non-empty write without an error; stop rather than spin.
    if n == 0 { return EIO }
    offset += n
  }
  return nil
}
