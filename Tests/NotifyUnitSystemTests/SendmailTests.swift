import Foundation
import NotifyUnitCore
import NotifyUnitSystem
import TestSupport
import Testing

/// sendmail's faults that a real MTA cannot be made to produce on demand,
/// with small stand-in scripts; the real MTA is in the end-to-end tests.
@Suite struct SendmailTests {
  /// As notify-unit's entry point does: a sendmail exiting early is EPIPE,
  /// not a SIGPIPE that ends the test process.
  init() { signal(SIGPIPE, SIG_IGN) }

  func script(_ body: String, in dir: URL) throws -> String {
    let path = dir.appendingPathComponent("sendmail").path
    return try Command.script(at: path, body)
  }

  func send(_ path: String, deadline: Double = 5, size: Int = 100) throws {
    try Sendmail(path: path).send(deadline: Deadline(secondsFromNow: deadline)) { sink in
      try sink.write([UInt8](repeating: 0x61, count: size) + [0x0A])
    }
  }

  @Test func passesDashTAndDashOiAndTheMessage() throws {
    let dir = try Paths.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let path = try script("echo \"$@\" > \(dir.path)/args; cat > \(dir.path)/msg", in: dir)
    try send(path, size: 1_000_000)
    #expect(try String(contentsOfFile: dir.path + "/args", encoding: .utf8) == "-t -oi -odi\n")
    #expect(try Data(contentsOf: dir.appendingPathComponent("msg")).count == 1_000_001)
  }

  /// No shell: a SENDMAIL value with shell syntax is a file name that does
  /// not exist, never a command line.
  @Test func noShellEverRunsTheSendmailSetting() throws {
    let dir = try Paths.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let witness = dir.appendingPathComponent("ran").path
    for value in [
      "/bin/true; touch \(witness)", "/bin/sh -c 'touch \(witness)'", "$(touch \(witness))",
    ] {
      #expect(throws: DeliveryError.self) { try send(value) }
    }
    #expect(!FileManager.default.fileExists(atPath: witness))
  }

  @Test func missingSendmailIsAMisconfiguration() throws {
    #expect {
      try send("/nonexistent/sendmail")
    } throws: { error in
      guard case DeliveryError.failed(let m) = error else { return false }
      return m.contains("/nonexistent/sendmail") && m.contains("No such file")
    }
  }

  @Test(arguments: [(75, true), (69, false), (1, false)])
  func exitStatusIsChecked(status: Int, temporary: Bool) throws {
    let dir = try Paths.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let path = try script("cat >/dev/null; exit \(status)", in: dir)
    #expect {
      try send(path)
    } throws: { error in
      switch error {
      case DeliveryError.temporary(let m): return temporary && m.contains("status \(status)")
      case DeliveryError.failed(let m): return !temporary && m.contains("status \(status)")
      default: return false
      }
    }
  }

  @Test func hangingSendmailIsStoppedAtTheDeadline() throws {
    let dir = try Paths.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    // Reads nothing and never exits: the writes block, then the wait.
    let path = try script("exec sleep 60", in: dir)
    let started = Date()
    #expect(throws: DeliveryError.self) { try send(path, deadline: 1.5, size: 4_000_000) }
    #expect(Date().timeIntervalSince(started) < 3)
  }

  @Test func sendmailExitingEarlyIsReported() throws {
    let dir = try Paths.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let path = try script("exit 0", in: dir)
    #expect(throws: DeliveryError.self) { try send(path, size: 4_000_000) }
  }
}

/// The real MTA (Debian's exim4, local delivery to the user "mail"): a line
/// holding only "." must not end the message. notify-unit's own mails never
/// contain such a line (every log line has a prefix, and the quoted-printable
/// encoder writes a lone "." as "=2E"), so this feeds one directly.
@Suite struct RealMTATests {
  init() { signal(SIGPIPE, SIG_IGN) }

  @Test func loneDotDoesNotCutTheMessage() throws {
    #expect(
      FileManager.default.fileExists(atPath: "/usr/sbin/exim4"),
      "exim4 is not installed: run scripts/setup")
    let token = UUID().uuidString
    let message =
      "To: mail@localhost\nSubject: dot test \(token)\n\nbefore the dot\n.\nafter the dot \(token)\n"
    try Sendmail(path: "/usr/sbin/sendmail").send(deadline: Deadline(secondsFromNow: 20)) { sink in
      try sink.write(Array(message.utf8))
    }
    let limit = Date().addingTimeInterval(20)
    var mailbox = ""
    while Date() < limit {
      mailbox = (try? String(contentsOfFile: "/var/mail/mail", encoding: .utf8)) ?? ""
      if mailbox.contains("Subject: dot test \(token)") { break }
      usleep(100_000)
    }
    #expect(mailbox.contains("Subject: dot test \(token)"))
    #expect(mailbox.contains("after the dot \(token)"))
  }
}
