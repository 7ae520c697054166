import Foundation
import NotifyUnitCore
import NotifyUnitSystem
import TestSupport
import Testing

/// A relay password never crosses the network in clear: with credentials
/// in an smtp:// URL to another host, STARTTLS is required before AUTH.
@Suite struct SMTPStartTLSTests {
  /// This machine's first address that is not loopback, where a relay that
  /// offers no STARTTLS listens.
  func outsideAddress() throws -> String? {
    let out = try Command.run("/usr/bin/hostname", ["-I"]).stdoutText
    return out.split(separator: " ").map(String.init).first { !$0.contains(":") }
  }

  /// A plain SMTP relay (no STARTTLS, AUTH offered) that records every line
  /// it is sent in `log`; its port.
  func plainRelay(on address: String, log: String) throws -> (Process, Int) {
    let script = """
      import socket, sys
      s = socket.socket(); s.bind((sys.argv[1], 0)); s.listen(1)
      print(s.getsockname()[1], flush=True)
      c, _ = s.accept(); f = c.makefile('rwb'); log = open(sys.argv[2], 'ab')
      f.write(b'220 plain ESMTP\\r\\n'); f.flush()
      for line in f:
          log.write(line); log.flush()
          w = line.split(b' ')[0].strip().upper()
          if w == b'EHLO': f.write(b'250-plain\\r\\n250 AUTH PLAIN LOGIN\\r\\n')
          elif w == b'AUTH': f.write(b'235 ok\\r\\n')
          elif w == b'QUIT': f.write(b'221 bye\\r\\n'); f.flush(); break
          elif w == b'DATA': f.write(b'354 go\\r\\n')
          else: f.write(b'250 ok\\r\\n')
          f.flush()
      """
    let p = Process()
    p.executableURL = URL(fileURLWithPath: Paths.python)
    p.arguments = ["-c", script, address, log]
    let out = Pipe()
    p.standardOutput = out
    try p.run()
    let line = String(decoding: out.fileHandleForReading.availableData, as: UTF8.self)
    return (p, Int(line.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0)
  }

  @Test func credentialsToAnotherHostWaitForSTARTTLSAndAreNeverSentInClear() throws {
    guard let address = try outsideAddress() else { return }  // no network at all: nothing to cross
    let dir = try Paths.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let log = dir.appendingPathComponent("relay.log").path
    let (relay, port) = try plainRelay(on: address, log: log)
    defer {
      relay.terminate()
      relay.waitUntilExit()
    }
    let file = dir.appendingPathComponent("m.eml")
    try Data("Subject: x\n\nx\n".utf8).write(to: file)
    let password = SecretLedger.secret("relay-pass-\(UUID().uuidString.prefix(8))")
    let url = "smtp://relay-user:\(password)@\(address):\(port)"
    #expect(try SMTPRelay(parsing: url).requiresSTARTTLS)
    #expect {
      try SMTPSubmission(
        relay: try SMTPRelay(parsing: url), sender: "notify-unit@localhost",
        recipients: ["mail@localhost"]
      ).send(file: file.path, headers: [], deadline: Deadline(secondsFromNow: 10))
    } throws: { error in
      // Refused (a retry cannot fix it), saying why and the fix, no secret.
      guard case DeliveryError.failed(let m) = error else { return false }
      SecretLedger.output(Data(m.utf8), label: "smtp-error")
      return m.contains("only over TLS (use smtps://") && !m.contains(password)
    }
    let seen = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
    #expect(seen.hasPrefix("EHLO"), "\(seen)")
    #expect(!seen.uppercased().contains("AUTH"), "the credentials were sent in clear: \(seen)")
  }

  @Test func onlyCredentialsToAnotherHostRequireIt() throws {
    let cases: [(String, Bool)] = [
      ("smtp://u:p@relay.example.org:587", true),
      ("smtp://u:p@127.0.0.1:25", false),
      ("smtp://u:p@127.8.9.10", false),
      ("smtp://u:p@localhost:25", false),
      ("smtp://u:p@[::1]:25", false),
      ("smtp://u:p@[2001:db8::1]:25", true),
      ("smtp://u:p@127.0.0.1.evil.example:25", true),
      ("smtp://relay.example.org:25", false),
      ("smtps://u:p@relay.example.org:465", false),
    ]
    for (url, required) in cases {
      #expect(try SMTPRelay(parsing: url).requiresSTARTTLS == required, "\(url)")
    }
  }
}
