/// A run that started and has not reported yet, as its start file keeps it
/// (`RunStarts`): "notify-unit-start 1", then one "key=value" a line.
public struct RunStart: Sendable, Equatable {
  public var unit: String
  public var invocationID: String
  /// Microseconds since the epoch.
  public var time: UInt64
  public var bootID: String
  /// The check's ping URL as `start` resolved it, for the report of an
  /// interrupted run (its unit's environment is gone by then).
  public var pingURL: String?

  public init(unit: String, invocationID: String, time: UInt64, bootID: String, pingURL: String?) {
    self.unit = unit
    self.invocationID = invocationID
    self.time = time
    self.bootID = bootID
    self.pingURL = pingURL
  }

  static let header = "notify-unit-start 1"

  /// The start file's text; a value that could hold a line break (they
  /// come from the environment) is shown by the display rule, so it cannot
  /// add a line of its own.
  public var formatted: String {
    let s = self
    return """
      \(Self.header)
      unit=\(s.unit.sanitizedForDisplay(maxLength: 256))
      invocation=\(s.invocationID.sanitizedForDisplay(maxLength: 64))
      time=\(s.time)
      boot=\(s.bootID.sanitizedForDisplay(maxLength: 64))

      """
        // A URL is kept whole or not at all (settings hold no line break).
        + (s.pingURL.flatMap { url in
          url.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
            ? nil : "ping=\(url)\n"
        } ?? "")
  }

  /// The start in a start file's text; nil when it is not one.
  public static func parse(_ text: String) -> RunStart? {
    guard let values = KeyValueFile.values(text, header: header) else { return nil }
    guard let unit = values["unit"],
      let invocation = values["invocation"].flatMap({ normalizedInvocationID($0) }),
      let time = values["time"].flatMap({ UInt64($0) }), let boot = values["boot"], !boot.isEmpty
    else { return nil }
    return RunStart(
      unit: unit, invocationID: invocation, time: time, bootID: boot,
      pingURL: values["ping"])
  }
}
