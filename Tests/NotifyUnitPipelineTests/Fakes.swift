import NotifyUnitCore
import NotifyUnitPipeline
import NotifyUnitSystem

/// An outcome source that says what the test set, and asks nothing of systemd.
struct FakeOutcomeSource: OutcomeSource {
  var result: String
  var invocationID: String? = "0123456789abcdef0123456789abcdef"
  var isHandler = false
  var status: UnitStatus? = nil

  func context(for unit: String, deadline: Deadline) -> RunContext {
    RunContext(
      origin: .execStopPost,
      outcome: RunOutcome(environment: ["SERVICE_RESULT": result]),
      invocationID: invocationID, status: status)
  }
}

/// A log that is the lines given, for any invocation; records what was asked.
final class FakeLogCollector: LogCollector {
  var lines: [String]
  /// Entries after `lines`, as given (systemd's own, say).
  var records: [LogRecord] = []
  var collected: [String] = []
  var latest: String? = nil

  init(lines: [String]) { self.lines = lines }

  func latestInvocation(of unit: String) -> String? { latest }

  func collect(
    _ invocation: String, unit: String, into report: inout Report, archive: LogArchive?,
    deadline: Deadline
  ) {
    collected.append(invocation)
    let renderer = LogRenderer(zone: .utc)
    for (i, line) in lines.enumerated() {
      let record = LogRecord(
        realtime: 1_700_000_000_000_000 + UInt64(i), priority: 6,
        identifier: Array("job".utf8), pid: Array("42".utf8), message: Array(line.utf8))
      report.add(record, renderer: renderer)
      var exact: [UInt8] = []
      renderer.appendExactLine(record, to: &exact)
      try? archive?.append(exact)
    }
    for record in records { report.add(record, renderer: renderer) }
  }
}

/// A channel that answers what the test says and records what it was given.
final class FakeChannel: Channel {
  let name: String
  let policyKey: String
  let wantsLogArchive: Bool
  var answer: ChannelResult
  var delivered: [Delivery] = []
  var deadlines: [Double] = []

  init(name: String, policyKey: String, answer: ChannelResult = .delivered, archive: Bool = false) {
    self.name = name
    self.policyKey = policyKey
    self.answer = answer
    self.wantsLogArchive = archive
  }

  func deliver(_ delivery: Delivery, deadline: Deadline) -> ChannelResult {
    delivered.append(delivery)
    deadlines.append(deadline.remaining)
    return answer
  }
}
