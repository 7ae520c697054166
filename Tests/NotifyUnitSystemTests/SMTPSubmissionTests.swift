import Foundation
import NotifyUnitCore
import NotifyUnitSystem
import TestSupport
import Testing

/// SMTP submission against a real exim4 daemon on a loopback port.
@Suite struct SMTPSubmissionTests {
  static let mailbox = "/var/mail/mail"

  func submission(_ url: String, to recipient: String = "mail@localhost") throws
    -> SMTPSubmission
  {
    SMTPSubmission(
      relay: try SMTPRelay(parsing: url), sender: "notify-unit@localhost", recipients: [recipient])
  }

  /// The mailbox's messages holding `marker`, each as its lines.
  func delivered(_ marker: String, timeout: Double = 20) -> [[String]] {
    let limit = Date().addingTimeInterval(timeout)
    repeat {
      let text = String(
        decoding: FileManager.default.contents(atPath: Self.mailbox) ?? Data(), as: UTF8.self)
      let found = text.components(separatedBy: "\nFrom ").filter { $0.contains(marker) }
      if !found.isEmpty { return found.map { $0.components(separatedBy: "\n") } }
      usleep(100_000)
    } while Date() < limit
    return []
  }

  @Test func deliversEveryLineWithDotsAndLineEndsIntact() throws {
    let mta = try MTADaemon()
    let dir = try Paths.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let marker = "smtp-\(UUID().uuidString)"
    // Bare "\n" line ends (as notify-unit writes them), a lone ".", a line
    // of "..", and one starting with "." before text: SMTP's end-of-data
    // marker must not cut the message, nor a dot be lost.
    let message = "Subject: \(marker)\nTo: mail@localhost\n\nfirst\n.\n..\n.dot first\nlast\n"
    let file = dir.appendingPathComponent("m.eml")
    try Data(message.utf8).write(to: file)
    try submission(mta.url).send(
      file: file.path, headers: Array("X-Extra: in front\n".utf8),
      deadline: Deadline(secondsFromNow: 20))
    let mails = delivered(marker)
    try #require(mails.count == 1)
    let lines = mails[0]
    #expect(lines.contains("X-Extra: in front"))
    let body = try #require(lines.firstIndex(of: "first"))
    #expect(Array(lines[body..<(body + 5)]) == ["first", ".", "..", ".dot first", "last"])
    #expect(!lines.contains { $0.hasSuffix("\r") })
  }

  @Test func streamedMessageArrivesToo() throws {
    let mta = try MTADaemon()
    let marker = "smtp-stream-\(UUID().uuidString)"
    try submission(mta.url).send(deadline: Deadline(secondsFromNow: 20)) { sink in
      try sink.write(Array("Subject: \(marker)\n\nstreamed body\n".utf8))
    }
    #expect(delivered(marker).first?.contains("streamed body") == true)
  }

  @Test func refusalIsAFailureNotARetry() throws {
    let mta = try MTADaemon(messageSizeLimit: "1K")
    let dir = try Paths.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let file = dir.appendingPathComponent("m.eml")
    try Data(("Subject: refused\n\n" + String(repeating: "x", count: 4000) + "\n").utf8).write(
      to: file)
    #expect {
      try submission(mta.url).send(
        file: file.path, headers: [], deadline: Deadline(secondsFromNow: 20))
    } throws: { error in
      guard case DeliveryError.failed(let m) = error else { return false }
      // The relay's reply code, as the message gives it: 5xx, not "55" anywhere.
      return m.contains("127.0.0.1:\(mta.port)")
        && m.range(of: #"\(reply 5[0-9][0-9]\)"#, options: .regularExpression) != nil
    }
  }

  @Test func noRelayIsTemporaryAndTheCredentialsAreNeverShown() throws {
    let port = try MTADaemon.freePort()
    let dir = try Paths.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let file = dir.appendingPathComponent("m.eml")
    try Data("Subject: x\n\nx\n".utf8).write(to: file)
    #expect {
      let password = SecretLedger.secret("relay-pass-\(UUID().uuidString.prefix(8))")
      try submission("smtp://relay-user:\(password)@127.0.0.1:\(port)").send(
        file: file.path, headers: [], deadline: Deadline(secondsFromNow: 5))
    } throws: { error in
      guard case DeliveryError.temporary(let m) = error else { return false }
      SecretLedger.output(Data(m.utf8), label: "smtp-error")
      return m.contains("smtp://…@127.0.0.1:\(port)") && !m.contains("relay-pass")
        && !m.contains("relay-user")
    }
  }
}
