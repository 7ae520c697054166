/// What `notify-unit status` shows: each unit notify-unit has reported
/// (its last outcome, when, what was mailed and pinged) and what waits in
/// the spool (its reason and age), as text or as JSON. Pure: the records
/// come in read already; times are microseconds since the epoch.
public struct StatusReport: Sendable {
  /// A unit and its state record, as the state directory keeps it.
  public struct UnitEntry: Sendable, Equatable {
    public var unit: String
    public var record: UnitStateRecord

    public init(unit: String, record: UnitStateRecord) {
      self.unit = unit
      self.record = record
    }
  }

  public struct SpoolEntry: Sendable, Equatable {
    /// "mail" or "ping".
    public var kind: String
    public var unit: String
    public var created: UInt64
    /// Why it is still waiting; nil when no reason was written.
    public var reason: String?
    /// Where it goes, with no secret in it.
    public var destination: String

    public init(kind: String, unit: String, created: UInt64, reason: String?, destination: String) {
      self.kind = kind
      self.unit = unit
      self.created = created
      self.reason = reason
      self.destination = destination
    }
  }

  public var stateDirectory: String
  public var units: [UnitEntry]
  public var spool: [SpoolEntry]

  public init(stateDirectory: String, units: [UnitEntry], spool: [SpoolEntry]) {
    self.stateDirectory = stateDirectory
    self.units = units.sorted { $0.unit < $1.unit }
    self.spool = spool.sorted { $0.created < $1.created }
  }

  static func age(_ time: UInt64, now: UInt64) -> Double { Double(now - min(now, time)) / 1e6 }

  /// A duration in whole units, for "3 min ago".
  static func roughly(_ seconds: Double) -> String {
    let s = Int(seconds)
    switch s {
    case ..<60: return "\(s) s"
    case ..<3600: return "\(s / 60) min"
    case ..<172_800: return "\(s / 3600) h"
    default: return "\(s / 86400) days"
    }
  }

  /// The text `notify-unit status` prints.
  public func text(now: UInt64, renderer: LogRenderer) -> String {
    var lines: [String] = []
    if units.isEmpty {
      lines.append("No unit reported yet (state directory \(stateDirectory)).")
    } else {
      lines.append("Units reported (state directory \(stateDirectory)):")
      for u in units {
        let outcome = u.record.success ? "success" : "failed (\(u.record.result))"
        let when = String(renderer.timestamp(u.record.time).prefix(19)).replacingAll("T", with: " ")
        lines.append(
          "  \(u.unit.sanitizedForDisplay(maxLength: 100)): \(outcome.sanitizedForDisplay(maxLength: 80)), \(when) (\(Self.roughly(Self.age(u.record.time, now: now))) ago); mail: \((u.record.mail ?? "not recorded").sanitizedForDisplay(maxLength: 80)); ping: \((u.record.ping ?? "not recorded").sanitizedForDisplay(maxLength: 80))"
        )
      }
    }
    if spool.isEmpty {
      lines.append("Nothing waits in the spool.")
    } else {
      lines.append("Waiting in the spool (\(spool.count)):")
      for e in spool {
        let due = String(renderer.timestamp(e.created).prefix(19)).replacingAll("T", with: " ")
        lines.append(
          "  \(e.kind.sanitizedForDisplay(maxLength: 40)) of \(e.unit.sanitizedForDisplay(maxLength: 100)) to \(e.destination.sanitizedForDisplay(maxLength: 200)), due \(due) (waiting \(Self.roughly(Self.age(e.created, now: now)))): \((e.reason ?? "no reason recorded").sanitizedForDisplay(maxLength: 300))"
        )
      }
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// The same as JSON: `{"state_directory", "units": [...], "spool": [...]}`,
  /// times as RFC 3339 in UTC and ages in seconds.
  public func json(now: UInt64) -> String {
    JSON.object([
      ("state_directory", JSON.string(stateDirectory)),
      ("units", "[" + unitObjects(now: now).joined(separator: ",") + "]"),
      ("spool", "[" + spoolObjects(now: now).joined(separator: ",") + "]"),
    ]) + "\n"
  }

  /// Each unit and each spool entry as a JSON object, with `extra` fields
  /// first (`StatusOverview` adds the state directory).
  func unitObjects(now: UInt64, extra: [(String, String)] = []) -> [String] {
    let utc = LogRenderer(zone: .utc)
    func time(_ t: UInt64) -> String { JSON.string(String(utc.timestamp(t).prefix(19)) + "Z") }
    return units.map { u in
      JSON.object(
        extra + [
          ("unit", JSON.string(u.unit)), ("success", u.record.success ? "true" : "false"),
          ("result", JSON.string(u.record.result)),
          ("invocation_id", u.record.invocationID.map(JSON.string) ?? "null"),
          ("time", time(u.record.time)),
          ("age_seconds", String(Int(Self.age(u.record.time, now: now)))),
          ("mail", u.record.mail.map(JSON.string) ?? "null"),
          ("ping", u.record.ping.map(JSON.string) ?? "null"),
        ])
    }
  }

  func spoolObjects(now: UInt64, extra: [(String, String)] = []) -> [String] {
    let utc = LogRenderer(zone: .utc)
    func time(_ t: UInt64) -> String { JSON.string(String(utc.timestamp(t).prefix(19)) + "Z") }
    return spool.map { e in
      JSON.object(
        extra + [
          ("kind", JSON.string(e.kind)), ("unit", JSON.string(e.unit)), ("due", time(e.created)),
          ("age_seconds", String(Int(Self.age(e.created, now: now)))),
          ("destination", JSON.string(e.destination)),
          ("reason", e.reason.map(JSON.string) ?? "null"),
        ])
    }
  }

  /// Nothing reported and nothing waiting.
  public var isEmpty: Bool { units.isEmpty && spool.isEmpty }
}
