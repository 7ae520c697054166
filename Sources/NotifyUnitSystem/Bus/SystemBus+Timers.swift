import CSystemd
import NotifyUnitCore

#if canImport(Glibc)
  import Glibc
#endif

/// The property types of a timer (org.freedesktop.systemd1.Timer) that
/// `TimerReader` reads: TimersCalendar ("a(sst)") and TimersMonotonic
/// ("a(stt)"). Every sd-bus result is checked; a reply of another shape is
/// an error (EBADMSG), never a guess.
extension SystemBus {
  /// TimersCalendar: each OnCalendar= expression as systemd normalised it.
  public func timersCalendar(_ path: String) throws(BusError) -> [String] {
    try timerEntries(path, "TimersCalendar", inner: "sst").map(\.1)
  }

  /// TimersMonotonic: the kind of each monotonic trigger ("OnBootUSec", ...).
  public func timersMonotonic(_ path: String) throws(BusError) -> [String] {
    try timerEntries(path, "TimersMonotonic", inner: "stt").map(\.0)
  }

  /// Each entry's first string and, for "sst", its second.
  private func timerEntries(_ path: String, _ name: String, inner: String) throws(BusError)
    -> [(String, String)]
  {
    var error = sd_bus_error()
    defer { sd_bus_error_free(&error) }
    var reply: OpaquePointer?
    let r = sd_bus_get_property(
      bus, Self.systemd, path, TimerReader.timerInterface, name, &error, &reply, "a(\(inner))")
    guard r >= 0, let reply else { throw BusError("reading \(name)", r, error) }
    defer { sd_bus_message_unref(reply) }
    guard sd_bus_message_enter_container(reply, CChar(UInt8(ascii: "a")), "(\(inner))") >= 0 else {
      throw BusError("reading \(name)", -EBADMSG)
    }
    var entries: [(String, String)] = []
    while true {
      let entered = sd_bus_message_enter_container(reply, CChar(UInt8(ascii: "r")), inner)
      guard entered >= 0 else { throw BusError("reading \(name)", entered) }
      if entered == 0 { break }
      var base: UnsafePointer<CChar>? = nil
      guard sd_bus_message_read_basic(reply, CChar(UInt8(ascii: "s")), &base) > 0, let base else {
        throw BusError("reading \(name)", -EBADMSG)
      }
      var second = ""
      if inner == "sst" {
        var spec: UnsafePointer<CChar>? = nil
        guard sd_bus_message_read_basic(reply, CChar(UInt8(ascii: "s")), &spec) > 0, let spec
        else { throw BusError("reading \(name)", -EBADMSG) }
        second = String(cString: spec)
        guard sd_bus_message_skip(reply, "t") >= 0 else {
          throw BusError("reading \(name)", -EBADMSG)
        }
      } else {
        guard sd_bus_message_skip(reply, "tt") >= 0 else {
          throw BusError("reading \(name)", -EBADMSG)
        }
      }
      guard sd_bus_message_exit_container(reply) >= 0 else {
        throw BusError("reading \(name)", -EBADMSG)
      }
      entries.append((String(cString: base), second))
    }
    return entries
  }
}
