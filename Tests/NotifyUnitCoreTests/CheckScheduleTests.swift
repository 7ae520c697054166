import Foundation
import Testing

@testable import NotifyUnitCore

@Suite struct CheckScheduleTests {
  func timer(
    _ calendars: [String], monotonic: [String] = [], delay: Double = 0
  ) -> TimerTriggers {
    TimerTriggers(
      timer: "backup.timer", calendars: calendars, monotonic: monotonic, randomizedDelay: delay)
  }

  @Test func theShippedBackupTimerBecomesItsScheduleInTheHostsZone() throws {
    let s = try CheckSchedule.derive(
      from: timer(["*-*-* 00,13:00:00"]), hostZone: "Europe/Berlin", durations: [42.5, 610])
    #expect(s.schedule == "*-*-* 00,13:00:00")
    #expect(s.tz == "Europe/Berlin")
    #expect(s.grace == 0 + 610 + 300)
    let body = try #require(
      try JSONSerialization.jsonObject(with: Data(s.json.utf8)) as? [String: Any])
    #expect(body["schedule"] as? String == "*-*-* 00,13:00:00")
    #expect(body["tz"] as? String == "Europe/Berlin")
    #expect(body["grace"] as? Int == 910)
  }

  @Test func severalExpressionsGoOnePerLineAndTheirZoneWins() throws {
    let s = try CheckSchedule.derive(
      from: timer(["Mon *-*-01..07 03:00:00 UTC", "*-*-* 12:00:00 UTC"], delay: 1800),
      hostZone: "Europe/Berlin", durations: [])
    #expect(s.schedule == "Mon *-*-01..07 03:00:00\n*-*-* 12:00:00")
    #expect(s.tz == "UTC")
    #expect(s.grace == 1800 + 300)
    let body = try #require(
      try JSONSerialization.jsonObject(with: Data(s.json.utf8)) as? [String: Any])
    #expect(body["schedule"] as? String == "Mon *-*-01..07 03:00:00\n*-*-* 12:00:00")
  }

  @Test func graceIsClampedToWhatHealthchecksTakes() throws {
    let long = try CheckSchedule.derive(
      from: timer(["*-*-* 00:00:00"], delay: 40_000_000), hostZone: "UTC", durations: [])
    #expect(long.grace == 31_536_000)
    #expect(CheckSchedule.graceRange.contains(long.grace))
  }

  @Test func whatHealthchecksCannotFollowIsRefusedInOneLine() {
    let cases: [(TimerTriggers, String)] = [
      (timer([], monotonic: ["OnBootUSec", "OnUnitActiveUSec"]), "only monotonic triggers"),
      (timer([]), "has no trigger"),
      (timer(["*-*-* 00:00:00 UTC", "*-*-* 12:00:00 Europe/Riga"]), "different time zones"),
      (timer(["*-*-* 00:00:00.5"]), "fractions of a second"),
      (timer(Array(repeating: "Mon..Fri *-*-* 00,06,12,18:00:00", count: 4)), "over the 100"),
    ]
    for (t, expected) in cases {
      do throws(ScheduleSyncError) {
        _ = try CheckSchedule.derive(from: t, hostZone: "UTC", durations: [])
        Issue.record("accepted \(t)")
      } catch {
        #expect(error.description.contains(expected), "\(error)")
        #expect(!error.description.contains("\n"))
      }
    }
  }

  @Test func theAPIsURLComesFromHCURLOrIsAskedFor() throws {
    #expect(
      try ManagementAPI.baseURL(configured: nil, hcURL: "https://hc-ping.com")
        == "https://healthchecks.io/api/v3")
    #expect(
      try ManagementAPI.baseURL(configured: nil, hcURL: "https://hc.example/ping/")
        == "https://hc.example/api/v3")
    #expect(
      try ManagementAPI.baseURL(configured: "http://x/api/v3/", hcURL: "https://hc-ping.com")
        == "http://x/api/v3")
    #expect(throws: ScheduleSyncError.self) {
      try ManagementAPI.baseURL(configured: nil, hcURL: "https://u:secret@hc.example/elsewhere")
    }
    do throws(ScheduleSyncError) {
      _ = try ManagementAPI.baseURL(configured: nil, hcURL: "https://u:secret@hc.example/x")
    } catch {
      #expect(!error.description.contains("secret") && error.description.contains("HC_API_URL"))
    }
  }

  @Test func aRefusalShowsTheServersMessageWithoutSecrets() {
    let uuid = "0b6ee2a0-8c5b-4c34-9e7a-5a1f4c7a2b11"
    let line = ManagementAPI.refusal(
      status: 400, body: #"{"error": "json validation error: bad tz for \"\#(uuid)\""}"#,
      secrets: [uuid])
    #expect(line.hasPrefix("HTTP 400: the server refused the schedule (json validation error"))
    #expect(!line.contains(uuid) && line.contains("0b6e…"))
    #expect(ManagementAPI.refusal(status: 401, body: "", secrets: []).contains("HC_API_KEY_FILE"))
  }
}
