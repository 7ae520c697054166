import Foundation
import TestSupport
import Testing

/// ntfy, webhooks and Apprise end to end: the built binary against the
/// loopback ntfy peer (following ntfy's publishing docs, limits included),
/// a webhook recorder, and Debian's real apprise command.
@Suite struct ChannelTests {
  /// A run's report with the config lines given, the config file 0600.
  func report(
    _ run: HostileRun, config lines: [String], environment: [String: String] = [:]
  ) throws -> CommandResult {
    let config = run.dir.appendingPathComponent("notify-unit.conf")
    try (lines.joined(separator: "\n") + "\n").write(to: config, atomically: true, encoding: .utf8)
    chmod(config.path, 0o600)
    return try notifyUnit(
      ["--journal-file", run.path, "--ping-retries", "2", "--timeout", "20", "backup.service"],
      environment: run.outcomeEnvironment.merging(environment) { $1 }, config: config.path)
  }

  func secretFile(_ run: HostileRun, _ name: String, _ value: String) throws -> String {
    let path = run.dir.appendingPathComponent(name).path
    try (value + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    chmod(path, 0o600)
    return path
  }

  @Test func ntfyGetsTheHeadlineVerdictAndTheLogsEndWithinItsLimit() throws {
    let token = SecretLedger.secret(
      "tk_" + UUID().uuidString.replacingOccurrences(of: "-", with: ""))
    let server = try PushServer(token: token)
    // 3,000 more lines: the message must still fit ntfy's 4,096 bytes.
    let run = try HostileRun(extraLines: 3000, hugeLine: false)
    defer { run.cleanUp() }
    let topic = SecretLedger.secret("backups-\(UUID().uuidString.prefix(8))")
    let result = try report(
      run,
      config: [
        "NTFY_URL=\(server.baseURL)/\(topic)",
        "NTFY_TOKEN_FILE=\(try secretFile(run, "ntfy-token", token))",
      ])
    #expect(result.status == 0, "\(result.stderr)")
    let published = try server.requests()
    #expect(published.count == 1)
    let message = try #require(published.first)
    #expect(message.status == 200 && message.topic == topic)
    #expect(message.title?.hasPrefix("⛔ backup.service: ") == true, "\(message.title ?? "")")
    #expect(message.priority == 4)
    #expect(message.tags?.contains("rotating_light") == true)
    let text = try #require(message.message)
    #expect(text.utf8.count <= 4096)
    #expect(text.hasSuffix("restic[4242]: the very last line"))
    // Whole lines only: the first log line shown starts with its time stamp.
    let logLines = text.split(separator: "\n").filter { $0.hasPrefix("20") }
    #expect(logLines.count > 10)
    #expect(message.headers["authorization"] == "Bearer \(token)")
    // The topic and the token are secrets: shown as the host only.
    #expect(!result.stderr.contains(topic) && !result.stderr.contains(token))
    #expect(result.stderr.contains("ntfy \(server.baseURL)/…: delivered"))
  }

  @Test func ntfysRateLimitIsRetriedAndARefusalIsLoud() throws {
    let server = try PushServer(user: "alice:s3cret-\(UUID().uuidString.prefix(6))")
    let run = try HostileRun(hugeLine: false)
    defer { run.cleanUp() }
    // 429 without Retry-After, as ntfy answers: tried again, then delivered.
    try server.inject(statuses: [429])
    let retried = try report(
      run,
      config: [
        "NTFY_URL=\(server.baseURL)/backups",
        "NTFY_TOKEN_FILE=\(try secretFile(run, "ntfy-user", "alice:wrong"))",
      ])
    // A wrong password: 403, a refusal that retrying will not change (69).
    #expect(retried.status == 69, "\(retried.stderr)")
    let statuses = try server.requests().map(\.status)
    #expect(statuses == [429, 403])
    #expect(retried.stderr.contains("HTTP 403"))
  }

  @Test func ntfyOnFailureSkipsASuccess() throws {
    let server = try PushServer()
    let run = try HostileRun(hugeLine: false)
    defer { run.cleanUp() }
    let result = try report(
      run, config: ["NTFY_URL=\(server.baseURL)/backups", "NTFY_ON=failure"],
      environment: ["SERVICE_RESULT": "success", "EXIT_STATUS": "0"])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(try server.requests().isEmpty)
    #expect(result.stderr.contains("no ntfy: NTFY_ON=failure and the run succeeded"))
  }

  @Test func aWebhookGetsTheVersionedDocument() throws {
    let server = try PushServer()
    let run = try HostileRun(hugeLine: false)
    defer { run.cleanUp() }
    let hook = SecretLedger.secret("T0/B1/\(UUID().uuidString)")
    let authorization = SecretLedger.secret("Bearer \(UUID().uuidString)")
    let result = try report(
      run,
      config: [
        "WEBHOOK_URL=\(server.baseURL)/hook/\(hook)",
        "WEBHOOK_AUTHORIZATION_FILE=\(try secretFile(run, "hook-auth", authorization))",
      ])
    #expect(result.status == 0, "\(result.stderr)")
    let request = try #require(try server.requests().first)
    #expect(request.headers["content-type"] == "application/json")
    #expect(request.headers["authorization"] == authorization)
    let document = try #require(
      try JSONSerialization.jsonObject(with: request.body) as? [String: Any])
    #expect(document["version"] as? Int == 1)
    #expect(document["unit"] as? String == "backup.service")
    #expect(document["result"] as? String == "exit-code")
    #expect(document["outcome"] as? String == "failure")
    #expect(document["success"] as? Bool == false)
    #expect(document["invocation"] as? String == run.invocation)
    #expect(document["exit_code"] as? String == "exited")
    #expect(document["exit_status"] as? String == "3")
    let tail = try #require(document["log_tail"] as? [String])
    #expect(tail.last?.hasSuffix("restic[4242]: the very last line") == true)
    // Hostile lines stay data: the forged header is one string of the list.
    #expect(tail.contains { $0.contains("Subject: forged") })
    for key in ["started", "finished", "duration_seconds", "reason", "notes", "host"] {
      #expect(document.keys.contains(key), "\(key)")
    }
    #expect(!result.stderr.contains(hook))
  }

  @Test func aSlackWebhookGetsTextAndBlocks() throws {
    let server = try PushServer()
    let run = try HostileRun(hugeLine: false)
    defer { run.cleanUp() }
    let result = try report(
      run, config: ["WEBHOOK_URL=\(server.baseURL)/hook/slack", "WEBHOOK_FORMAT=slack"])
    #expect(result.status == 0, "\(result.stderr)")
    let request = try #require(try server.requests().first)
    let document = try #require(
      try JSONSerialization.jsonObject(with: request.body) as? [String: Any])
    #expect((document["text"] as? String)?.hasPrefix("⛔ backup.service") == true)
    let blocks = try #require(document["blocks"] as? [[String: Any]])
    #expect(blocks.count == 2)
    let code = try #require((blocks.last?["text"] as? [String: Any])?["text"] as? String)
    #expect(code.hasPrefix("```") && code.hasSuffix("```") && code.count <= 3000)
    #expect(code.contains("the very last line"))
  }

  @Test func aWebhookRefusingIsLoudAndOneThatIsDownWaitsInTheSpool() throws {
    let server = try PushServer()
    let run = try HostileRun(hugeLine: false)
    defer { run.cleanUp() }
    let state = run.dir.appendingPathComponent("state").path
    try server.inject(statuses: [404])
    let refused = try report(
      run, config: ["WEBHOOK_URL=\(server.baseURL)/hook/gone"],
      environment: ["STATE_DIRECTORY": state])
    #expect(refused.status == 69, "\(refused.stderr)")
    #expect(spooled(state).isEmpty)  // refused for good: not kept
    try server.reset()
    // Down: three tries (--ping-retries 2), then kept, and the unit not failed.
    try server.inject(statuses: [503, 503, 503, 503])
    let config = ["WEBHOOK_URL=\(server.baseURL)/hook/down"]
    let down = try report(run, config: config, environment: ["STATE_DIRECTORY": state])
    #expect(try server.requests().map(\.status) == [503, 503, 503])
    #expect(down.status == 0, "\(down.stderr)")
    #expect(down.stderr.contains("webhook report kept in the spool for the next run"))
    // Still down for the second run, whose flush tries the first once: the
    // second report waits behind it, in order, without a try of its own.
    let second = try report(
      run, config: config,
      environment: ["STATE_DIRECTORY": state, "SERVICE_RESULT": "success", "EXIT_STATUS": "0"])
    #expect(second.status == 0, "\(second.stderr)")
    #expect(try server.requests().count == 4)
    #expect(spooled(state).count == 2)
    // Back up: the flush delivers both, oldest first.
    let flush = try notifyUnit(
      ["flush", "--state-directory", state], config: writeConfig(run, config))
    #expect(flush.status == 0, "\(flush.stderr)")
    let delivered = try server.requests().filter { $0.status == 200 }
    let outcomes = try delivered.map {
      try #require(try JSONSerialization.jsonObject(with: $0.body) as? [String: Any])["outcome"]
        as? String
    }
    #expect(outcomes == ["failure", "success"])
    #expect(spooled(state).isEmpty)
  }

  /// The spool's entries (not their reasons), oldest first.
  func spooled(_ state: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: state + "/spool")) ?? [])
      .filter { !$0.hasPrefix(".") && !$0.hasSuffix(".reason") }.sorted()
  }

  func writeConfig(_ run: HostileRun, _ lines: [String]) throws -> String {
    let config = run.dir.appendingPathComponent("flush.conf")
    try (lines.joined(separator: "\n") + "\n").write(to: config, atomically: true, encoding: .utf8)
    return config.path
  }

  @Test func appriseNotifiesThroughItsJSONTarget() throws {
    let server = try PushServer()
    let run = try HostileRun(hugeLine: false)
    defer { run.cleanUp() }
    let urls = try secretFile(run, "apprise.urls", "json://127.0.0.1:\(server.port)/hook/apprise")
    let result = try report(run, config: ["APPRISE_URLS=\(urls)"])
    #expect(result.status == 0, "\(result.stderr)")
    let request = try #require(try server.requests().first)
    #expect(request.headers["user-agent"]?.hasPrefix("Apprise") == true)
    let document = try #require(
      try JSONSerialization.jsonObject(with: request.body) as? [String: Any])
    #expect((document["title"] as? String)?.hasPrefix("⛔ backup.service") == true)
    #expect(document["type"] as? String == "failure")
    #expect((document["message"] as? String)?.hasSuffix("the very last line") == true)
    #expect(result.stderr.contains("apprise: notified the services in \(urls)"))
  }

  @Test func appriseMissingOrFailingIsSaid() throws {
    let run = try HostileRun(hugeLine: false)
    defer { run.cleanUp() }
    let urls = try secretFile(run, "apprise.urls", "json://127.0.0.1:1/hook/nobody")
    let missing = try report(run, config: ["APPRISE_URLS=\(urls)", "APPRISE=/nonexistent/apprise"])
    #expect(missing.status == 69)
    #expect(missing.stderr.contains("apt-get install apprise"))
    // Nothing listens: apprise exits 1, worth another try: kept in the spool.
    let state = run.dir.appendingPathComponent("state").path
    let down = try report(
      run, config: ["APPRISE_URLS=\(urls)"], environment: ["STATE_DIRECTORY": state])
    #expect(down.status == 0, "\(down.stderr)")
    #expect(down.stderr.contains("apprise could not notify every service"))
    #expect(spooled(state).count == 1)
    // The flush tries it again, and it still waits, with why.
    let flush = try notifyUnit(
      ["flush", "--state-directory", state], config: try writeConfig(run, []))
    #expect(flush.status == 75, "\(flush.stderr)")
    #expect(flush.stderr.contains("a apprise report of backup.service due at"))
  }

  @Test func aCredentialThatCannotBeReadStopsTheReport() throws {
    let server = try PushServer()
    let run = try HostileRun(hugeLine: false)
    defer { run.cleanUp() }
    let result = try report(
      run,
      config: [
        "NTFY_URL=\(server.baseURL)/backups", "NTFY_TOKEN_FILE=\(run.dir.path)/missing-token",
        "WEBHOOK_URL=\(server.baseURL)/hook/x",
      ])
    #expect(result.status == 78, "\(result.stderr)")
    #expect(
      result.stderr.contains("<3>notify-unit: NTFY_TOKEN_FILE: cannot read")
        && result.stderr.contains("nothing was sent"))
    // Fail closed: not the other channels alone either.
    #expect(try server.requests().isEmpty)
  }
}
