import Foundation
import TestSupport
import Testing

/// Hostile names from the real places they come from: the unit name on the
/// command line (refused: not a unit name), and the host name from the
/// kernel (set in a UTS namespace of the test's own). CR, LF, NUL and
/// encoded-word look-alikes in them must not add or change a header, nor a
/// recipient.
@Suite struct InjectionTests {
  static let hostile = [
    "evil\r\nBcc: thief@example.org", "evil\nTo: thief@example.org", "evil\0Cc: thief@example.org",
    "=?UTF-8?B?QmNjOiB0aGllZkBleGFtcGxlLm9yZw==?=", "evil\r\n\r\nforged body",
  ]

  /// The dry-run mail for `unit`, run with `host` as the kernel's host name.
  func mail(unit: String, host: String?, run: HostileRun) throws -> (CommandResult, ParsedMessage) {
    let result = try dryRun(unit: unit, host: host, run: run)
    return (result, try ParsedMessage.parse(result.stdout))
  }

  func dryRun(unit: String, host: String?, run: HostileRun) throws -> CommandResult {
    var arguments = [
      Paths.notifyUnit, "--config", "/dev/null", "--dry-run", "--journal-file", run.path,
      "--invocation-id", run.invocation, "--mail-to", "admin@example.org", unit,
    ]
    var program = Paths.notifyUnit
    if let host {
      // python3 sets the host name in a new UTS namespace, then becomes notify-unit.
      program = "/usr/bin/unshare"
      arguments =
        [
          "--uts", Paths.python, "-c",
          "import os, socket, sys; socket.sethostname(sys.argv[1].encode()); os.execv(sys.argv[2], sys.argv[2:])",
          host,
        ] + arguments
    } else {
      arguments.removeFirst()
    }
    let result = try Command.run(program, arguments, environment: run.outcomeEnvironment)
    SecretLedger.output(result.stdout, label: "injection")
    return result
  }

  @Test(arguments: hostile)
  func hostileUnitAndHostNamesAddNoHeaderNorRecipient(name: String) throws {
    let run = try HostileRun(hugeLine: false)
    defer { run.cleanUp() }
    let (_, baseline) = try mail(unit: "backup.service", host: nil, run: run)
    // A command line cannot carry a NUL; a host name can. Such a UNIT is
    // refused in one line, with the name made harmless, and nothing sent.
    if !name.contains("\0") {
      let refused = try dryRun(unit: name, host: nil, run: run)
      #expect(refused.status == 64)
      #expect(refused.stdout.isEmpty)
      #expect(refused.stderr.split(separator: "\n").count == 1, "\(refused.stderr)")
      #expect(refused.stderr.contains("is not a unit name") || refused.stderr.contains("unit type"))
      #expect(!refused.stderr.dropLast().unicodeScalars.contains { $0.value < 0x20 })
    }
    do {
      let (result, message) = try mail(unit: "backup.service", host: name, run: run)
      #expect(result.status == 0, "\(result.stderr)")
      #expect(message.defects.isEmpty, "\(message.defects)")
      #expect(message.headerNames == baseline.headerNames)
      #expect(message.headers["To"] == "admin@example.org")
      #expect(message.rawHeaders["Bcc"] == nil && message.rawHeaders["Cc"] == nil)
      #expect(!(message.headers.values.joined() + message.body).contains("\nforged body"))
      // The name is shown, made harmless: no control character left.
      let subject = try #require(message.headers["Subject"])
      #expect(!subject.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F })
      #expect(subject.contains("evil") || subject.contains("=?UTF-8?B?QmNj"), "\(subject)")
    }
  }
  /// Bidi overrides and isolates (Trojan Source), a line separator and a
  /// zero-width space in the failing line, the reason of the Subject: shown
  /// by name in every header, part and terminal line, never obeyed.
  @Test func bidiAndFormatControlsAreShownNotObeyed() throws {
    let dir = try Paths.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let invocation = JournalFixture.newInvocation()
    let line = "Fatal: unable to open \u{202E}gpj.exe\u{2066} repo\u{2028}Subject: x\u{200B}!"
    let path = try JournalFixture.write(
      [
        JournalFixture.serviceLine(
          Array(line.utf8), invocation: invocation, at: JournalFixture.baseTime, priority: 3)
      ], in: dir)
    let result = try Command.run(
      Paths.notifyUnit,
      [
        "--config", "/dev/null", "--dry-run", "--journal-file", path, "--mail-to",
        "admin@example.org", "backup.service",
      ],
      environment: [
        "SERVICE_RESULT": "exit-code", "EXIT_CODE": "exited", "EXIT_STATUS": "1",
        "INVOCATION_ID": invocation,
      ])
    let mail = try ParsedMessage.parse(result.stdout)
    let shown = "Fatal: unable to open <U+202E>gpj.exe<U+2066> repo<U+2028>Subject: x<U+200B>!"
    #expect(mail.headers["Subject"]?.contains(shown) == true, "\(mail.headers["Subject"] ?? "")")
    #expect(mail.body.contains(shown))
    let controls: [Unicode.Scalar] = ["\u{202E}", "\u{2066}", "\u{2028}", "\u{200B}"]
    let everything =
      [result.stderr] + mail.headers.values + mail.parts.map(\.text)
    for text in everything {
      #expect(!text.unicodeScalars.contains(where: controls.contains), "\(text.prefix(300))")
    }
    // The HTML part too, decoded: it says the same by name.
    #expect(
      mail.parts.contains { $0.contentType == "text/html" && $0.text.contains("&lt;U+202E&gt;") })
  }
}
