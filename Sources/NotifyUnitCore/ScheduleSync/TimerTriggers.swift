/// What a systemd timer says about when its service runs, as read over
/// D-Bus (org.freedesktop.systemd1.Timer): its calendar expressions as
/// systemd normalised them (`TimersCalendar`, e.g. "*-*-* 00,13:00:00" or
/// "Mon *-*-* 03:00:00 Europe/Berlin"), its monotonic triggers by kind
/// (`TimersMonotonic`: "OnBootUSec", ...) and `RandomizedDelayUSec`.
public struct TimerTriggers: Sendable, Equatable {
  public var timer: String
  public var calendars: [String]
  public var monotonic: [String]
  /// RandomizedDelaySec=, in seconds.
  public var randomizedDelay: Double

  public init(timer: String, calendars: [String], monotonic: [String], randomizedDelay: Double) {
    self.timer = timer
    self.calendars = calendars
    self.monotonic = monotonic
    self.randomizedDelay = randomizedDelay
  }
}
