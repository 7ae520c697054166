import CSystemd
import NotifyUnitCore

#if canImport(Glibc)
  import Glibc
#endif

/// The property types `UnitWiringReader` reads, beside SystemBus's own:
/// string arrays, booleans, EnvironmentFiles= and ExecStopPost= with each
/// command's argv and prefixes. Every sd-bus result is checked; a reply of
/// an unexpected shape is an error (EBADMSG), never a guess.
extension SystemBus {
  /// An "as" property (OnFailure=, SupplementaryGroups=, Environment=).
  public func strings(_ path: String, _ interface: String, _ name: String) throws(BusError)
    -> [String]
  {
    var error = sd_bus_error()
    defer { sd_bus_error_free(&error) }
    var list: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
    let r = sd_bus_get_property_strv(bus, Self.systemd, path, interface, name, &error, &list)
    guard r >= 0 else { throw BusError("reading \(name)", r, error) }
    return Self.takeStrv(list)
  }

  /// A "b" property. D-Bus booleans are 32 bits wide in sd-bus.
  public func bool(_ path: String, _ interface: String, _ name: String) throws(BusError) -> Bool {
    try trivial(path, interface, name, as: BusBool.self).value
  }

  /// EnvironmentFiles= ("a(sb)"): each file, and whether a missing one is
  /// fine (its "-" prefix).
  public func environmentFiles(_ path: String, _ interface: String) throws(BusError)
    -> [(path: String, optional: Bool)]
  {
    let name = "EnvironmentFiles"
    let reply = try property(path, interface, name, "a(sb)")
    defer { sd_bus_message_unref(reply) }
    guard sd_bus_message_enter_container(reply, CChar(UInt8(ascii: "a")), "(sb)") >= 0 else {
      throw BusError("reading \(name)", -EBADMSG)
    }
    var files: [(String, Bool)] = []
    while true {
      let entered = sd_bus_message_enter_container(reply, CChar(UInt8(ascii: "r")), "sb")
      guard entered >= 0 else { throw BusError("reading \(name)", entered) }
      if entered == 0 { break }
      var file = BusString()
      var optional = BusBool()
      guard readBasic(reply, &file), let path = file.raw, readBasic(reply, &optional),
        sd_bus_message_exit_container(reply) >= 0
      else { throw BusError("reading \(name)", -EBADMSG) }
      files.append((String(cString: path), optional.value))
    }
    return files
  }

  /// ExecStopPost= (or another Exec*= of a service) with each command's
  /// argv and prefixes: from `NAMEEx` ("a(sasasttttuii)", systemd 243+),
  /// whose flags name "ignore-failure" ("-") and "privileged" ("+"), else
  /// from `NAME` ("a(sasbttttuii)"), which knows only "-".
  public func execCommandLines(_ path: String, _ interface: String, _ name: String)
    throws(BusError) -> [UnitWiring.Command]
  {
    // NAMEEx is missing before systemd 243: fall back to NAME, whose own
    // read says what is wrong if the bus itself fails.
    if let reply = try? property(path, interface, name + "Ex", "a(sasasttttuii)") {
      defer { sd_bus_message_unref(reply) }
      return try readCommands(reply, name: name + "Ex", flagsAsStrings: true)
    }
    let reply = try property(path, interface, name, "a(sasbttttuii)")
    defer { sd_bus_message_unref(reply) }
    return try readCommands(reply, name: name, flagsAsStrings: false)
  }

  private func readCommands(_ reply: OpaquePointer, name: String, flagsAsStrings: Bool)
    throws(BusError) -> [UnitWiring.Command]
  {
    let inner = flagsAsStrings ? "sasasttttuii" : "sasbttttuii"
    guard sd_bus_message_enter_container(reply, CChar(UInt8(ascii: "a")), "(\(inner))") >= 0
    else { throw BusError("reading \(name)", -EBADMSG) }
    var commands: [UnitWiring.Command] = []
    while true {
      let entered = sd_bus_message_enter_container(reply, CChar(UInt8(ascii: "r")), inner)
      guard entered >= 0 else { throw BusError("reading \(name)", entered) }
      if entered == 0 { break }
      var command = BusString()
      guard readBasic(reply, &command), let program = command.raw else {
        throw BusError("reading \(name)", -EBADMSG)
      }
      let arguments = try readStrv(reply, name)
      var ignoresFailure = false
      var privileged = false
      if flagsAsStrings {
        let flags = try readStrv(reply, name)
        ignoresFailure = flags.contains("ignore-failure")
        privileged = flags.contains("privileged")
      } else {
        var ignore = BusBool()
        guard readBasic(reply, &ignore) else { throw BusError("reading \(name)", -EBADMSG) }
        ignoresFailure = ignore.value
      }
      guard sd_bus_message_skip(reply, "ttttuii") >= 0, sd_bus_message_exit_container(reply) >= 0
      else { throw BusError("reading \(name)", -EBADMSG) }
      commands.append(
        UnitWiring.Command(
          path: String(cString: program), arguments: arguments, ignoresFailure: ignoresFailure,
          privileged: privileged))
    }
    return commands
  }

  /// A property's reply message, to be unreferenced by the caller.
  private func property(_ path: String, _ interface: String, _ name: String, _ type: String)
    throws(BusError) -> OpaquePointer
  {
    var error = sd_bus_error()
    defer { sd_bus_error_free(&error) }
    var reply: OpaquePointer?
    let r = sd_bus_get_property(bus, Self.systemd, path, interface, name, &error, &reply, type)
    guard r >= 0, let reply else { throw BusError("reading \(name)", r, error) }
    return reply
  }

  private func readStrv(_ reply: OpaquePointer, _ name: String) throws(BusError) -> [String] {
    var list: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
    let r = sd_bus_message_read_strv(reply, &list)
    guard r > 0 else { throw BusError("reading \(name)", r < 0 ? r : -EBADMSG) }
    return Self.takeStrv(list)
  }

  /// The strings of a NULL-terminated array sd-bus allocated, freeing it.
  static func takeStrv(_ list: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> [String] {
    guard let list else { return [] }
    var result: [String] = []
    var i = 0
    while let item = list[i] {
      result.append(String(cString: item))
      free(item)
      i += 1
    }
    free(list)
    return result
  }
}
