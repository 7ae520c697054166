import Foundation
import TestSupport
import Testing

/// Secrets never cross a network in clear and are never printed: plain
/// http:// only to this machine; a URL's user:password split as RFC 3986
/// says; what a peer echoes of a request's credentials scrubbed.
@Suite struct CredentialsOnTheWireTests {
  func report(_ run: HostileRun, _ lines: [String], check: String? = nil) throws -> CommandResult {
    let config = run.dir.appendingPathComponent("notify-unit.conf")
    try (lines.joined(separator: "\n") + "\n").write(to: config, atomically: true, encoding: .utf8)
    chmod(config.path, 0o600)
    return try notifyUnit(
      ["--journal-file", run.path, "--ping-retries", "0", "--timeout", "10", "backup.service"]
        + (check.map { [$0] } ?? []),
      environment: run.outcomeEnvironment, config: config.path)
  }

  /// Each HTTP setting, to another machine over plain http:// (192.0.2.2,
  /// this host's own non-loopback address in the tests' network, or a
  /// name that would resolve elsewhere): refused in one line, nothing sent
  /// anywhere, the secret not in the line; the same over https:// or to
  /// 127.0.0.1 is accepted.
  @Test func plainHTTPToAnotherMachineIsRefused() throws {
    let run = try HostileRun(hugeLine: false)
    defer { run.cleanUp() }
    let check = SecretLedger.newCheck()
    let token = "tk_" + SecretLedger.newCheck().replacingOccurrences(of: "-", with: "")
    let tokenFile = run.dir.appendingPathComponent("token").path
    try (token + "\n").write(toFile: tokenFile, atomically: true, encoding: .utf8)
    chmod(tokenFile, 0o600)
    let server = try PushServer()
    let cases: [(lines: [String], check: String?, key: String)] = [
      (["HC_URL=http://hc.example.org/ping"], check, "Healthchecks base URL"),
      ([], "http://hc.example.org/ping/\(check)", "CHECK"),
      (["NTFY_URL=http://ntfy.example.org/\(check)"], nil, "NTFY_URL"),
      (
        ["NTFY_URL=http://ntfy.example.org/topic", "NTFY_TOKEN_FILE=\(tokenFile)"], nil,
        "NTFY_URL"
      ),
      (["WEBHOOK_URL=http://192.0.2.2:9/hook/\(check)"], nil, "WEBHOOK_URL"),
      (["HC_API_URL=http://hc.example.org/api/v3"], check, "HC_API_URL"),
    ]
    for c in cases {
      let lines = c.lines + ["WEBHOOK_URL=\(server.baseURL)/hook/witness"]
      let result = try report(run, lines.reversed(), check: c.check)
      #expect(result.status == 78 || result.status == 64, "\(c.key): \(result.stderr)")
      #expect(
        result.stderr.contains("\(c.key)")
          && result.stderr.contains("would cross the network in clear"),
        "\(c.key): \(result.stderr)")
      #expect(!result.stderr.contains(check) && !result.stderr.contains(token))
    }
    #expect(try server.requests().isEmpty, "a refused setting let another channel send")
    // Over https:// (unreachable here: spooled) and to this machine: used.
    for lines in [
      ["NTFY_URL=https://ntfy.invalid/topic", "NTFY_TOKEN_FILE=\(tokenFile)"],
      ["NTFY_URL=\(server.baseURL)/topic", "NTFY_TOKEN_FILE=\(tokenFile)"],
    ] {
      let result = try report(run, lines)
      #expect(!result.stderr.contains("in clear"), "\(result.stderr)")
      #expect(result.status == 0 || result.status == 75, "\(result.stderr)")
    }
    #expect(try server.requests().count == 1)
  }

  /// A password holding "/" unescaped: RFC 3986 ends the authority at the
  /// "/", so the URL names a port "Pa", which is refused; before, "Pa" was
  /// shown as the host's and the rest went out as a path.
  @Test func aPasswordWithASlashIsNeverShown() throws {
    let run = try HostileRun(hugeLine: false)
    defer { run.cleanUp() }
    let password = "Pa/" + SecretLedger.newCheck()
    for line in [
      "HC_URL=https://user:\(password)@hc.example.org/ping",
      "NTFY_URL=https://user:\(password)@ntfy.example.org/topic",
      "SMTP_URL=smtps://user:\(password)@relay.example.org",
    ] {
      let result = try report(run, [line, "MAIL_TO=a@b.org"], check: SecretLedger.newCheck())
      #expect(result.status == 78, "\(line): \(result.stderr)")
      #expect(result.stderr.contains("percent-encoded"), "\(result.stderr)")
      #expect(!result.stderr.contains("Pa") && !result.stderr.contains(password.dropFirst(3)))
    }
  }

  /// A peer that echoes the request's headers in its error answer: the
  /// ntfy token and the webhook's Authorization never reach stderr.
  @Test func credentialsAPeerEchoesAreScrubbed() throws {
    let run = try HostileRun(hugeLine: false)
    defer { run.cleanUp() }
    let token = "tk_" + SecretLedger.newCheck().replacingOccurrences(of: "-", with: "")
    let authorization = "Bearer " + SecretLedger.newCheck()
    let server = try PushServer(token: token)
    let files = [("token", token), ("authorization", authorization)].map { name, value in
      let path = run.dir.appendingPathComponent(name).path
      try? (value + "\n").write(toFile: path, atomically: true, encoding: .utf8)
      chmod(path, 0o600)
      return path
    }
    try server.inject(statuses: [400, 400], echo: true)
    let result = try report(
      run,
      [
        "NTFY_URL=\(server.baseURL)/backups", "NTFY_TOKEN_FILE=\(files[0])",
        "WEBHOOK_URL=\(server.baseURL)/hook/x", "WEBHOOK_AUTHORIZATION_FILE=\(files[1])",
      ])
    let answers = try server.requests()
    #expect(answers.count == 2 && answers.allSatisfy { $0.status == 400 })
    #expect(result.stderr.contains("HTTP 400"), "\(result.stderr)")
    #expect(!result.stderr.contains(token), "the ntfy token was printed")
    #expect(
      !result.stderr.contains(String(authorization.dropFirst(7))),
      "the webhook's secret was printed")
  }
}
