#if canImport(Glibc)
  import Glibc
#endif

/// Sleeps, resuming after signals, for `seconds`: the retries' back-off,
/// a child's exit polled, a restart systemd has yet to decide.
public func sleep(seconds: Double) {
  var request = timespec(
    tv_sec: Int(seconds), tv_nsec: Int((seconds - Double(Int(seconds))) * 1e9))
  var remaining = timespec()
  while nanosleep(&request, &remaining) != 0, errno == EINTR { request = remaining }
}
