import NotifyUnitSystem

/// One line on stderr, as every notify-unit message: "notify-unit: ...".
/// systemd stores it in the journal as one entry of the unit that ran it.
public func say(_ line: String) { Host.printError("notify-unit: \(line)") }
