import Foundation
import TestSupport
import Testing

/// HC_CREATE / --hc-create: a PING-KEY/slug check that does not exist yet
/// is created by its first ping (`?create=1`, answered 201).
@Suite struct HealthchecksCreateTests {
  let key = SecretLedger.secret("pk" + UUID().uuidString.prefix(18).lowercased())
  let invocation = JournalFixture.newInvocation()

  @Test func aMissingSlugCheckIsCreatedByItsFirstPing() throws {
    let server = try HealthchecksServer(checks: [], pingKeys: [key])
    let check = "\(key)/nightly-backup"
    let start = try notifyUnit(
      ["start", "--hc-url", server.baseURL, "--hc-create", "backup.service", check],
      environment: ["INVOCATION_ID": invocation])
    #expect(start.status == 0, "\(start.stderr)")
    let run = try HostileRun(hugeLine: false)
    defer { run.cleanUp() }
    let finish = try notifyUnit(
      ["--journal-file", run.path, "--hc-url", server.baseURL, "backup.service", check],
      environment: run.outcomeEnvironment,
      config: try configFile(run.dir, "HC_CREATE=yes\n"))
    #expect(finish.status == 0, "\(finish.stderr)")
    let pings = try server.requests()
    #expect(pings.map(\.status) == [.code(201), .code(200)])
    #expect(pings.map(\.kind) == ["start", "exit"])
    #expect(pings.allSatisfy { $0.path.contains("create=1") })
    #expect(!(start.stderr + finish.stderr).contains(key))
  }

  @Test func withoutItAMissingSlugIsARefusal() throws {
    let server = try HealthchecksServer(checks: [], pingKeys: [key])
    let result = try notifyUnit(
      ["start", "--hc-url", server.baseURL, "backup.service", "\(key)/nightly-backup"],
      environment: ["INVOCATION_ID": invocation])
    #expect(result.status == 69)
    #expect(try server.requests().map(\.status) == [.code(404)])
  }

  @Test func aBadSlugIsRefusedWithAHintBeforeAnythingIsSent() throws {
    let server = try HealthchecksServer(checks: [], pingKeys: [key])
    let result = try notifyUnit(
      [
        "start", "--hc-url", server.baseURL, "--hc-create", "backup.service",
        "\(key)/Nightly Backup",
      ],
      environment: ["INVOCATION_ID": invocation])
    #expect(result.status == 64)
    #expect(try server.requests().isEmpty)
    let lines = result.stderr.split(separator: "\n")
    #expect(lines.count == 1, "\(result.stderr)")
    #expect(result.stderr.contains("may hold only lower-case letters, digits, - and _"))
    #expect(result.stderr.contains("did you mean \"nightly-backup\"?"))
    #expect(!result.stderr.contains(key))
  }

  func configFile(_ dir: URL, _ text: String) throws -> String {
    let path = dir.appendingPathComponent("notify-unit.conf").path
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }
}
