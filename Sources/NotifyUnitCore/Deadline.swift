/// The hard limit of a whole run. ExecStopPost= commands count against the
/// unit's stop timeout (90 s by default), so every wait in notify-unit is
/// bounded by one of these and none can hang a unit's stop.
public struct Deadline: Sendable {
  public let instant: ContinuousClock.Instant

  public init(secondsFromNow seconds: Double) {
    instant = .now + .milliseconds(Int64(seconds * 1000))
  }

  public init(_ instant: ContinuousClock.Instant) { self.instant = instant }

  /// Seconds left, never negative.
  public var remaining: Double {
    let d = ContinuousClock.now.duration(to: instant)
    let s = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    return max(0, s)
  }

  public var hasPassed: Bool { remaining <= 0 }

  /// The earlier of this deadline and `seconds` from now.
  public func capped(to seconds: Double) -> Deadline {
    let other = Deadline(secondsFromNow: seconds)
    return other.instant < instant ? other : self
  }
}
