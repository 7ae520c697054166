import Foundation
import TestSupport

/// Runs the built notify-unit with the given arguments and environment,
/// never reading /etc/notify-unit.conf of the machine running the tests.
func notifyUnit(
  _ arguments: [String], environment: [String: String] = [:], config: String = "/dev/null",
  timeout: Double = 120
) throws -> CommandResult {
  // After a subcommand's name, where its options are.
  let subcommands: Set<String> = ["start", "report", "flush", "resend"]
  let full =
    arguments.first.map(subcommands.contains) == true
    ? [arguments[0], "--config", config] + arguments.dropFirst() : ["--config", config] + arguments
  // A state directory of its own: no run sees another test's outcomes.
  var env = environment
  if env["STATE_DIRECTORY"] == nil {
    env["STATE_DIRECTORY"] =
      FileManager.default.temporaryDirectory
      .appendingPathComponent("notify-unit-state-\(UUID().uuidString)").path
  }
  let result = try Command.run(Paths.notifyUnit, full, environment: env, timeout: timeout)
  if let state = env["STATE_DIRECTORY"] { SecretLedger.directoryTree(state, label: "state") }
  return result
}

/// A journal with one invocation full of hostile content, among others.
struct HostileRun {
  let dir: URL
  let path: String
  let invocation = JournalFixture.newInvocation()
  let messages: [[UInt8]]

  init(extraLines: Int = 0, hugeLine: Bool = true) throws {
    dir = try Paths.temporaryDirectory()
    var messages: [[UInt8]] = [
      Array("restic backup starting".utf8),
      [0x62, 0x61, 0x64, 0x20, 0xFF, 0xFE, 0x20, 0x75, 0x74, 0x66],
      [0x6E, 0x75, 0x6C, 0x00, 0x69, 0x6E],
      Array("\u{1B}[31mred\u{1B}[0m".utf8),
      [0x2E],
      Array("From the start of a line".utf8),
      Array("emoji 💾✅ done".utf8),
      Array("carriage\rreturn".utf8),
      Array("Subject: forged\nBcc: evil@example.com".utf8),
      Array("--=_notify-unit_ boundary look-alike".utf8),
      Array("=?UTF-8?B?Zm9yZ2Vk?=".utf8),
    ]
    for i in 0..<extraLines { messages.append(Array("filler line \(i) ✅".utf8)) }
    if hugeLine { messages.append([UInt8](repeating: 0x42, count: 1 << 20)) }
    messages.append(Array("the very last line".utf8))
    self.messages = messages
    let t = JournalFixture.baseTime
    var entries = [
      JournalFixture.managerLine("Starting backup.service...", invocation: invocation, at: t)
    ]
    for (i, m) in messages.enumerated() {
      entries.append(
        JournalFixture.serviceLine(m, invocation: invocation, at: t + UInt64(i + 1) * 1000))
      if i % 3 == 0 {
        entries.append(
          JournalFixture.serviceLine(
            Array("another run \(i)".utf8), invocation: JournalFixture.newInvocation(),
            at: t + UInt64(i) * 1000 + 1))
      }
    }
    path = try JournalFixture.write(entries, in: dir)
  }

  func cleanUp() { try? FileManager.default.removeItem(at: dir) }

  var outcomeEnvironment: [String: String] {
    [
      "SERVICE_RESULT": "exit-code", "EXIT_CODE": "exited", "EXIT_STATUS": "3",
      "INVOCATION_ID": invocation,
    ]
  }
}

/// The mails in an mbox file, split at "From " lines, without the blank
/// line mbox puts after each.
func mboxMessages(_ path: String) -> [Data] {
  guard let data = FileManager.default.contents(atPath: path) else { return [] }
  var messages: [Data] = []
  var current = Data()
  var lines = data.split(separator: 0x0A, omittingEmptySubsequences: false)
  if lines.last?.isEmpty == true { lines.removeLast() }  // after the final newline
  for line in lines {
    if line.starts(with: Array("From ".utf8)) {
      if !current.isEmpty { messages.append(current.dropLast()) }
      current = Data()
      continue
    }
    current.append(contentsOf: line)
    current.append(0x0A)
  }
  if !current.isEmpty { messages.append(current.dropLast()) }
  return messages
}
