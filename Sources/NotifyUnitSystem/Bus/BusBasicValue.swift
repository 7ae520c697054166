/// A Swift type that sd-bus reads one basic D-Bus value into, with the
/// D-Bus type letter that goes with it: the letter comes from the Swift
/// type, so no read can hand sd-bus a buffer of the wrong size
/// (sd_bus_message_read_basic(3) writes as many bytes as the letter says).
protocol BusBasicValue {
  static var busType: CChar { get }
  init()
}

extension UInt64: BusBasicValue { static var busType: CChar { CChar(UInt8(ascii: "t")) } }
extension UInt32: BusBasicValue { static var busType: CChar { CChar(UInt8(ascii: "u")) } }
extension Int32: BusBasicValue { static var busType: CChar { CChar(UInt8(ascii: "i")) } }

/// "b": D-Bus booleans are 32 bits wide in sd-bus.
struct BusBool: BusBasicValue {
  static var busType: CChar { CChar(UInt8(ascii: "b")) }
  var raw: Int32 = 0
  var value: Bool { raw != 0 }
}

/// "s", "o", "g": a pointer into the message, valid while it is referenced.
struct BusString: BusBasicValue {
  static var busType: CChar { CChar(UInt8(ascii: "s")) }
  var raw: UnsafePointer<CChar>? = nil
}
