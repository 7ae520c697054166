import CSystemd
import NotifyUnitCore

#if canImport(Glibc)
  import Glibc
#endif

/// A connection to the system bus through sd-bus: the one place sd-bus's C
/// API is called. Reads unit properties from systemd without spawning
/// systemctl. Not Sendable: use it where it is made.
public final class SystemBus {
  // Internal, not private: the readers in this folder (UnitWiringReader)
  // extend SystemBus with the property types they need.
  var bus: OpaquePointer?

  /// Connects to the system bus ($DBUS_SYSTEM_BUS_ADDRESS, else the
  /// standard socket); every call is bounded by `timeout` seconds.
  public init(timeout: Double) throws(BusError) {
    var b: OpaquePointer?
    let r = sd_bus_open_system(&b)
    guard r >= 0, let b else { throw BusError("connecting to the system bus", r) }
    bus = b
    let t = sd_bus_set_method_call_timeout(b, UInt64(max(0.1, timeout) * 1_000_000))
    // Without it a call could wait sd-bus's default 25 s past TIMEOUT.
    guard t >= 0 else { throw BusError("setting the D-Bus call timeout", t) }
  }

  deinit { sd_bus_flush_close_unref(bus) }

  static let systemd = "org.freedesktop.systemd1"

  /// systemd's object path for a unit: "/org/freedesktop/systemd1/unit/"
  /// and the name with every byte but [A-Za-z0-9] written as _XX.
  public static func unitPath(_ unit: String) -> String {
    "/org/freedesktop/systemd1/unit/" + escapedUnitName(unit)
  }

  public func string(_ path: String, _ interface: String, _ name: String) throws(BusError)
    -> String
  {
    var error = sd_bus_error()
    defer { sd_bus_error_free(&error) }
    var value: UnsafeMutablePointer<CChar>?
    let r = sd_bus_get_property_string(bus, Self.systemd, path, interface, name, &error, &value)
    guard r >= 0, let value else { throw BusError("reading \(name)", r, error) }
    defer { free(value) }
    return String(cString: value)
  }

  /// A property of a fixed-size D-Bus type ("t" UInt64, "u" UInt32, "i"
  /// Int32, "b" BusBool): the type letter is the Swift type's.
  func trivial<T: BusBasicValue>(
    _ path: String, _ interface: String, _ name: String, as: T.Type
  ) throws(BusError) -> T {
    var error = sd_bus_error()
    defer { sd_bus_error_free(&error) }
    var value = T()
    let r = withUnsafeMutableBytes(of: &value) { raw in
      sd_bus_get_property_trivial(
        bus, Self.systemd, path, interface, name, &error, T.busType, raw.baseAddress)
    }
    guard r >= 0 else { throw BusError("reading \(name)", r, error) }
    return value
  }

  /// A byte-array property ("ay"), such as a unit's InvocationID.
  public func bytes(_ path: String, _ interface: String, _ name: String) throws(BusError)
    -> [UInt8]
  {
    var error = sd_bus_error()
    defer { sd_bus_error_free(&error) }
    var reply: OpaquePointer?
    let r = sd_bus_get_property(bus, Self.systemd, path, interface, name, &error, &reply, "ay")
    guard r >= 0, let reply else { throw BusError("reading \(name)", r, error) }
    defer { sd_bus_message_unref(reply) }
    var pointer: UnsafeRawPointer?
    var size = 0
    let q = sd_bus_message_read_array(reply, CChar(UInt8(ascii: "y")), &pointer, &size)
    guard q >= 0 else { throw BusError("reading \(name)", q) }
    guard let pointer, size > 0 else { return [] }
    return Array(UnsafeRawBufferPointer(start: pointer, count: size))
  }

  /// An "a(sasbttttuii)" property (ExecStart=, ExecStopPost=, ...): each
  /// command's program and its last run.
  public func execCommands(_ path: String, _ interface: String, _ name: String) throws(BusError)
    -> [ExecCommandRun]
  {
    var error = sd_bus_error()
    defer { sd_bus_error_free(&error) }
    var reply: OpaquePointer?
    let r = sd_bus_get_property(
      bus, Self.systemd, path, interface, name, &error, &reply, "a(sasbttttuii)")
    guard r >= 0, let reply else { throw BusError("reading \(name)", r, error) }
    defer { sd_bus_message_unref(reply) }
    func read<T: BusBasicValue>(_ value: inout T) -> Bool { readBasic(reply, &value) }
    var commands: [ExecCommandRun] = []
    guard sd_bus_message_enter_container(reply, CChar(UInt8(ascii: "a")), "(sasbttttuii)") >= 0
    else { throw BusError("reading \(name)", -EBADMSG) }
    while sd_bus_message_enter_container(reply, CChar(UInt8(ascii: "r")), "sasbttttuii") > 0 {
      var program = BusString()
      var start: UInt64 = 0
      var exit: UInt64 = 0
      var monotonic: UInt64 = 0
      var pid: UInt32 = 0
      var code: Int32 = 0
      var status: Int32 = 0
      guard read(&program), let program = program.raw, sd_bus_message_skip(reply, "asb") >= 0,
        read(&start), read(&monotonic), read(&exit), read(&monotonic),
        read(&pid), read(&code), read(&status)
      else { throw BusError("reading \(name)", -EBADMSG) }
      commands.append(
        ExecCommandRun(
          path: String(cString: program), startRealtime: start, exitRealtime: exit, code: code,
          status: status))
      guard sd_bus_message_exit_container(reply) >= 0 else {
        throw BusError("reading \(name)", -EBADMSG)
      }
    }
    return commands
  }
}

/// One basic value from `reply` into `value`, of the D-Bus type that goes
/// with its Swift type; false when the message holds something else.
func readBasic<T: BusBasicValue>(_ reply: OpaquePointer, _ value: inout T) -> Bool {
  withUnsafeMutablePointer(to: &value) { sd_bus_message_read_basic(reply, T.busType, $0) > 0 }
}

/// A failed sd-bus call: which, the errno, and the D-Bus error if any.
public struct BusError: Error, CustomStringConvertible, Sendable {
  public var operation: String
  public var errno: Int32
  public var busMessage: String?

  init(_ operation: String, _ result: Int32, _ error: sd_bus_error? = nil) {
    self.operation = operation
    self.errno = -result
    self.busMessage = error.flatMap { $0.message.map { String(cString: $0) } }
  }

  public var description: String {
    "\(operation) over D-Bus failed: \(busMessage ?? String(cString: strerror(errno)))"
  }
}
