import Foundation
import NotifyUnitCore
import TestSupport
import Testing

@testable import NotifyUnitSystem

/// The Management API client against the loopback peer, which answers as
/// the documented API does.
@Suite struct ManagementAPIClientTests {
  let check = SecretLedger.newCheck()
  let key = SecretLedger.secret("rw" + UUID().uuidString.replacingOccurrences(of: "-", with: ""))
  let readOnly = SecretLedger.secret(
    "ro" + UUID().uuidString.replacingOccurrences(of: "-", with: ""))
  let schedule = CheckSchedule(
    schedule: "*-*-* 00,13:00:00", tz: "Europe/Berlin", grace: 910, graceReason: "")

  func update(_ server: HealthchecksServer, uuid: String, key: String, _ s: CheckSchedule)
    -> ManagementAPIClient.Result
  {
    ManagementAPIClient.update(
      checkURL: ManagementAPI.checkURL(base: server.baseURL + "/api/v3", uuid: uuid), apiKey: key,
      schedule: s, timeout: 10, secrets: [uuid])
  }

  @Test func theScheduleIsSetAndReadBack() throws {
    let server = try HealthchecksServer(checks: [check], apiKey: key, readOnlyAPIKey: readOnly)
    #expect(update(server, uuid: check, key: key, schedule) == .updated)
    let shown = try server.check(check, apiKey: readOnly)
    #expect(shown["schedule"] as? String == "*-*-* 00,13:00:00")
    #expect(shown["tz"] as? String == "Europe/Berlin")
    #expect(shown["grace"] as? Int == 910)
    let request = try #require(try server.requests().first { $0.kind == "api" })
    #expect(request.headers["x-api-key"] == key && request.method == "POST")
  }

  @Test func refusalsAreOneLineWithTheServersWordAndNoSecret() throws {
    let server = try HealthchecksServer(checks: [check], apiKey: key, readOnlyAPIKey: readOnly)
    var badZone = schedule
    badZone.tz = "Mars/Olympus"
    let cases: [(ManagementAPIClient.Result, String)] = [
      (update(server, uuid: check, key: "wrong" + key, schedule), "HTTP 401"),
      (update(server, uuid: check, key: readOnly, schedule), "HTTP 403"),
      (update(server, uuid: SecretLedger.newCheck(), key: key, schedule), "HTTP 404"),
      (update(server, uuid: check, key: key, badZone), "tz is not a valid time zone"),
    ]
    for (result, expected) in cases {
      guard case .refused(let line) = result else {
        Issue.record("\(result)")
        continue
      }
      #expect(line.contains(expected), "\(line)")
      #expect(!line.contains(check) && !line.contains(key) && !line.contains(readOnly))
    }
    let unreachable = ManagementAPIClient.update(
      checkURL: "http://127.0.0.1:9/api/v3/checks/\(check)", apiKey: key, schedule: schedule,
      timeout: 2, secrets: [check])
    guard case .failed(let line) = unreachable else {
      Issue.record("\(unreachable)")
      return
    }
    #expect(!line.contains(check) && !line.contains(key))
  }
}
