import Foundation
import NotifyUnitCore
import Testing

/// What ntfy, the webhooks, Apprise and the metrics receive, built from a
/// report with hostile log lines.
@Suite struct ChannelPayloadTests {
  static let hostile = [
    "<script>alert(1)</script> & <@U123> <!channel>", "```code fence``` `", "\u{1B}[31mred",
    "quote \" backslash \\ tab\tend", "line\u{2028}separator", String(repeating: "é", count: 300),
  ]

  func report(_ result: String = "exit-code", status: String = "1", lines: Int = 40) -> Report {
    var r = Report(
      unit: "backup.service", host: "nas",
      outcome: RunOutcome(environment: [
        "SERVICE_RESULT": result, "EXIT_CODE": "exited", "EXIT_STATUS": status,
      ]), invocationID: "0123456789abcdef0123456789abcdef", tailCapacityBytes: 1 << 20,
      createdAt: 1_800_000_000_000_000)
    let renderer = LogRenderer(zone: .utc)
    for i in 0..<lines {
      let text = i < Self.hostile.count ? Self.hostile[i] : "line \(i) of the run"
      r.add(
        LogRecord(
          realtime: 1_800_000_000_000_000 + UInt64(i) * 1000, priority: 6,
          identifier: Array("restic".utf8), pid: Array("7".utf8), message: Array(text.utf8)),
        renderer: renderer)
    }
    r.add(
      LogRecord(
        realtime: 1_800_000_001_000_000, priority: 6, identifier: Array("restic".utf8),
        pid: Array("7".utf8), message: Array("Fatal: wrong password or no key found".utf8)),
      renderer: renderer)
    r.finish(renderer: renderer)
    return r
  }

  @Test func theWebhookDocumentIsValidJSONWithEveryLogByteAsData() throws {
    let r = report(lines: 80)
    let body = WebhookPayload.json(r, renderer: LogRenderer(zone: .utc))
    let document = try #require(
      try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
    #expect(document["version"] as? Int == WebhookPayload.version)
    #expect(document["reason"] as? String == "Fatal: wrong password or no key found")
    #expect(document["outcome"] as? String == "failure")
    #expect(document["exit_status"] as? String == "1")
    #expect(document["started"] as? String == "2027-01-15T08:00:00.000000+00:00")
    #expect((document["duration_seconds"] as? Double).map { abs($0 - 1.0) < 1e-9 } == true)
    let tail = try #require(document["log_tail"] as? [String])
    #expect(tail.count == WebhookPayload.tailLines)
    #expect(tail.last?.hasSuffix("restic[7]: Fatal: wrong password or no key found") == true)
    #expect(!tail.contains { $0.hasSuffix("\n") })
  }

  @Test func slackGetsOnlyItsThreeEscapesAndStaysWithinItsLimits() throws {
    let body = WebhookPayload.slack(report(lines: 6))
    let document = try #require(
      try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
    let blocks = try #require(document["blocks"] as? [[String: Any]])
    let texts = blocks.compactMap { ($0["text"] as? [String: Any])?["text"] as? String }
    let code = try #require(texts.last)
    #expect(
      code.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;@U123&gt; &lt;!channel&gt;"))
    #expect(!code.contains("<"))
    // A log line's backticks cannot close the code block early.
    #expect(code.hasPrefix("```") && code.hasSuffix("```"))
    #expect(!code.dropFirst(3).dropLast(3).contains("```"))
    #expect(texts.allSatisfy { $0.count <= 3000 })
    #expect(texts.first?.contains("Fatal: wrong password") == true)
  }

  @Test func aPushMessageHoldsWholeLinesWithinTheLimit() {
    for limit in [200, 1000, PushMessage.ntfyLimit] {
      let message = PushMessage(report: report(lines: 500), maxBodyBytes: limit)
      #expect(message.body.utf8.count <= limit, "\(limit)")
      #expect(message.body.hasPrefix("Fatal: wrong password or no key found"))
      #expect(message.body.hasSuffix("restic[7]: Fatal: wrong password or no key found"))
      for line in message.body.split(separator: "\n").dropFirst(2) {
        #expect(line.hasPrefix("2027-"), "a cut line: \(line.prefix(40))")
      }
    }
  }

  @Test func priorityAndTagsFollowTheVerdict() {
    let failure = PushMessage(report: report(), maxBodyBytes: 4096)
    #expect(failure.ntfyPriority == 4 && failure.ntfyTags.first == "rotating_light")
    #expect(failure.appriseType == "failure")
    let warning = PushMessage(report: report("success", status: "3"), maxBodyBytes: 4096)
    #expect(warning.ntfyPriority == 3 && warning.ntfyTags.contains("warning"))
    let success = PushMessage(report: report("success", status: "0"), maxBodyBytes: 4096)
    #expect(success.ntfyPriority == 2 && success.appriseType == "success")
    var recovered = report("success", status: "0")
    recovered.recovered = true
    #expect(PushMessage(report: recovered, maxBodyBytes: 4096).ntfyPriority == 3)
    let skipped = PushMessage(report: report("exec-condition"), maxBodyBytes: 4096)
    #expect(skipped.ntfyPriority == 2 && skipped.ntfyTags.contains("skipped"))
  }

  @Test func metricsLabelsAreEscapedAndEveryFamilyHasHelpAndType() {
    var r = report()
    r.unit = "we\"ird\\unit\n.service"
    let file = MetricsFile(
      facts: RunFacts(report: r), lastSuccess: 1_700_000_000_500_000, lastFailure: nil,
      deliveryFailed: ["mail": true], spooled: ["mail": 2])
    let text = file.text
    // Quote and backslash escaped; the line feed was shown as U+FFFD before.
    #expect(text.contains("unit=\"we\\\"ird\\\\unit\u{FFFD}.service\""))
    #expect(
      text.contains("notify_unit_last_success_timestamp_seconds{unit=")
        && text.contains(" 1700000000.5\n"))
    #expect(!text.contains("notify_unit_last_failure_timestamp_seconds"))
    #expect(text.contains(",channel=\"mail\"} 2\n"))
    let names = Set(
      text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { $0.prefix { $0 != "{" } })
    for name in names {
      #expect(text.contains("# HELP \(name) ") && text.contains("# TYPE \(name) gauge"), "\(name)")
    }
  }

  @Test func secretURLsAreShownAsTheirHostOnly() throws {
    let url = try WebURL(
      parsing: "https://hooks.example.org/services/T0/B1/secret", key: "WEBHOOK_URL")
    #expect(url.shown == "https://hooks.example.org/…")
    #expect(
      url.scrub("could not POST https://hooks.example.org/services/T0/B1/secret: 404")
        == "could not POST https://hooks.example.org/…: 404")
    #expect(url.scrub("path /services/T0/B1/secret") == "path /…")
    #expect(throws: ConfigurationError.self) { try WebURL(parsing: "ftp://x/y", key: "NTFY_URL") }
    #expect(throws: ConfigurationError.self) { try WebURL(parsing: "https://x", key: "NTFY_URL") }
    #expect(throws: ConfigurationError.self) {
      try WebURL(parsing: "https://x/a b", key: "NTFY_URL")
    }
  }
}
