import Foundation
import NotifyUnitCore
import NotifyUnitPipeline
import NotifyUnitSystem
import TestSupport
import Testing

/// The pipeline called directly: a fake outcome source, a fake log and fake
/// channels, a real state directory. No systemd, network or sendmail.
@Suite struct ReportPipelineTests {
  struct Run {
    var pipeline: ReportPipeline
    var mail: FakeChannel
    var ping: FakeChannel
    var log: FakeLogCollector
    var said: Said
  }

  final class Said: @unchecked Sendable {
    var lines: [String] = []
  }

  func makeRun(
    result: String, state: URL, mailOn: String? = nil, mailAnswer: ChannelResult = .delivered,
    pingAnswer: ChannelResult = .delivered, source: FakeOutcomeSource? = nil
  ) throws -> Run {
    var settings = Settings()
    try settings.set("STATE_DIRECTORY", state.path)
    try settings.set("TIMEOUT", "30")
    if let mailOn { try settings.set("MAIL_ON", mailOn) }
    let mail = FakeChannel(name: "mail", policyKey: "MAIL_ON", answer: mailAnswer, archive: true)
    let ping = FakeChannel(name: "ping", policyKey: "HC_ON", answer: pingAnswer)
    let log = FakeLogCollector(lines: ["starting backup", "Fatal: wrong password"])
    let said = Said()
    let pipeline = ReportPipeline(
      unit: "backup.service", settings: settings,
      outcomeSource: source ?? FakeOutcomeSource(result: result), logCollector: log,
      channels: [mail, ping], log: { said.lines.append($0) })
    return Run(pipeline: pipeline, mail: mail, ping: ping, log: log, said: said)
  }

  @Test func aFailureReachesEveryChannelWithItsLog() throws {
    let state = try Paths.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: state) }
    let run = try makeRun(result: "exit-code", state: state)
    #expect(run.pipeline.run() == .delivered)
    #expect(run.log.collected == ["0123456789abcdef0123456789abcdef"])
    for channel in [run.mail, run.ping] {
      let report = try #require(channel.delivered.first?.report)
      #expect(!report.outcome.isSuccess)
      #expect(report.lineCount == 2)
      let last = try #require(report.tail.kept.last)
      #expect(String(decoding: last, as: UTF8.self).contains("Fatal: wrong password"))
    }
    // The mail asked for the exact log, and got one.
    #expect(run.mail.delivered.first?.archive != nil)
  }

  @Test func mailOnChangeSkipsARepeatedSuccessButThePingGoesOut() throws {
    let state = try Paths.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: state) }
    let first = try makeRun(result: "success", state: state)
    _ = first.pipeline.run()
    #expect(first.mail.delivered.count == 1)  // a unit's first report
    let second = try makeRun(result: "success", state: state)
    _ = second.pipeline.run()
    #expect(second.mail.delivered.isEmpty)
    #expect(second.ping.delivered.count == 1)
    #expect(second.said.lines.contains { $0.hasPrefix("no mail: MAIL_ON=change") })
    // A failure, then a success: the success is mailed as a recovery.
    _ = try makeRun(result: "exit-code", state: state).pipeline.run()
    let recovered = try makeRun(result: "success", state: state)
    _ = recovered.pipeline.run()
    #expect(recovered.mail.delivered.first?.report.recovered == true)
  }

  @Test func aChannelFailureIsToldToTheNextChannelAndSetsTheStatus() throws {
    let state = try Paths.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: state) }
    let kept = try makeRun(
      result: "exit-code", state: state, mailAnswer: .spooled(reason: "relay down"))
    #expect(kept.pipeline.run() == .delivered)  // kept in the spool: nothing lost
    #expect(
      kept.ping.delivered.first?.earlierFailures == ["the mail could not be sent: relay down"])

    let lost = try makeRun(
      result: "exit-code", state: state, pingAnswer: .retryLater(reason: "timeout"))
    #expect(lost.pipeline.run() == .temporaryFailure)
    // A unit of its own: a third failure in a row would wait for its reminder.
    let fresh = try Paths.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: fresh) }
    let refused = try makeRun(
      result: "exit-code", state: fresh,
      mailAnswer: .refused(reason: "sendmail exit 69", kept: true),
      pingAnswer: .retryLater(reason: "timeout"))
    #expect(refused.pipeline.run() == .refused)  // the worst decides
  }

  @Test func theFirstChannelKeepsTimeForTheNext() throws {
    let state = try Paths.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: state) }
    let run = try makeRun(result: "exit-code", state: state)
    _ = run.pipeline.run()
    let mailTime = try #require(run.mail.deadlines.first)
    let pingTime = try #require(run.ping.deadlines.first)
    // 30 s in all: the mail may use at most two thirds, the ping all that is left.
    #expect(mailTime <= 20.5)
    #expect(pingTime > mailTime)
  }

  @Test func aHandlerStaysQuietWhenExecStopPostReportedTheRun() throws {
    let state = try Paths.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: state) }
    var status = UnitStatus()
    status.result = "exit-code"
    status.execStopPost = [
      ExecCommandRun(
        path: "/usr/bin/notify-unit", startRealtime: 1, exitRealtime: 2, code: 1, status: 0)
    ]
    let source = FakeOutcomeSource(result: "exit-code", isHandler: true, status: status)
    let run = try makeRun(result: "exit-code", state: state, source: source)
    _ = run.pipeline.run()
    #expect(status.reportedByExecStopPost)
    #expect(run.mail.delivered.isEmpty && run.ping.delivered.isEmpty)
    #expect(run.said.lines.contains { $0.contains("reported this run already") })
  }

  @Test func theUnitsOutcomeIsRecordedWhateverTheChannelsDid() throws {
    let state = try Paths.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: state) }
    let run = try makeRun(
      result: "timeout", state: state, mailAnswer: .retryLater(reason: "x"),
      pingAnswer: .refused(reason: "HTTP 404", kept: false))
    _ = run.pipeline.run()
    let record = try #require(
      try UnitStateStore(directory: state.path).read("backup.service").record)
    #expect(record.success == false)
    #expect(record.result == "timeout")
    #expect(record.invocationID == "0123456789abcdef0123456789abcdef")
    // What became of each channel, for `notify-unit status`.
    #expect(record.mail == "not sent: x")
    #expect(record.ping == "refused: HTTP 404")
  }
}
