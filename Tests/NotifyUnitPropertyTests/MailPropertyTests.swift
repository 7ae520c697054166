import Foundation
import MailInvariants
import NotifyUnitCore
import PropertyBased
import TestSupport
import Testing

/// Pieces of hostile text: line breaks, NUL, header and encoded-word
/// look-alikes, mbox and SMTP specials, escapes, non-ASCII.
let hostilePieces = [
  "\r", "\n", "\0", "\r\n", "Bcc: evil@example.com", "\nTo: evil@example.com",
  "=?utf-8?b?QmNjOiBldmlsQGV4YW1wbGUuY29t?=", "=?UTF-8?Q?X-Evil:_1?=", "?=", ".", "From ",
  "\u{1B}[31m", "é", "💾", "\u{85}", "\u{2028}", "\u{7F}", "backup", ".service", " ", ":", ",",
  "<x@y>", "\"", "@", "--=_notify-unit_0123456789abcdef", "\t",
]

let hostileText: Generator<String, some SendableSequenceType> = Gen.element(of: hostilePieces)
  .map { $0 ?? "" }.array(of: 0...10).map { $0.joined() }

/// Log messages: raw bytes (invalid UTF-8, controls), hostile text, or one
/// 2000-byte line.
let logMessage: Generator<[UInt8], some SendableSequenceType> = zip(
  Gen.int(in: 0...4), Gen.uint8(in: 0...255).array(of: 0...120), hostileText
).map { (pick: (Int, [UInt8], String)) -> [UInt8] in
  switch pick.0 {
  case 0, 1: pick.1
  case 2, 3: Array(pick.2.utf8)
  default: [UInt8](repeating: 0x41, count: 2000)
  }
}

/// Any text: hostile pieces or arbitrary bytes as UTF-8 (repaired).
let anyText: Generator<String, some SendableSequenceType> = zip(
  Gen.bool, Gen.uint8(in: 0...255).array(of: 0...200), hostileText
).map { (pick: (Bool, [UInt8], String)) -> String in
  pick.0 ? String(decoding: pick.1, as: UTF8.self) : pick.2
}

let attachmentCaps: Generator<Int, some SendableSequenceType> = Gen.element(of: [
  0, 64, 300, 5000, 1 << 20,
])
.map { $0 ?? 0 }
let readableLimits: Generator<Int, some SendableSequenceType> = Gen.element(of: [64, 200, 4096])
  .map { $0 ?? 4096 }

@Suite struct MailPropertyTests {
  /// A unit name, host name or description cannot add or change a header
  /// or a recipient: same header names, in the same order, as a benign
  /// report's, the same From and To, and every invariant of MailCheck.
  @Test func hostileNamesCannotAddOrChangeHeaders() async {
    await propertyCheck(count: 300, input: hostileText, hostileText, hostileText) {
      (unit: String, host: String, description: String) in
      let hostile = MailCase(
        unit: unit, host: host, description: description, messages: [Array("done".utf8)])
      let violations = MailCheck.check(hostile)
      #expect(violations.isEmpty, "\(violations)")
      let benign = MailCase(
        unit: "backup.service", host: "nas", description: "Backup",
        messages: [Array("done".utf8)])
      let a = Self.headers(hostile.compose().message)
      let b = Self.headers(benign.compose().message)
      #expect(a.map(\.name) == b.map(\.name))
      #expect(
        a.filter { ["From", "To"].contains($0.name) }
          == b.filter { ["From", "To"].contains($0.name) })
    }
  }

  /// The same with the sender made from the host name (MAIL_FROM unset).
  @Test func aHostileHostCannotChangeTheDefaultSender() async {
    await propertyCheck(count: 200, input: hostileText) { (host: String) in
      var c = MailCase(unit: "backup.service", host: host, messages: [])
      c.defaultSender = true
      let violations = MailCheck.check(c)
      #expect(violations.isEmpty, "\(violations)")
      let from = Self.headers(c.compose().message).first { $0.name == "From" }?.value ?? ""
      // Its host part is the host name's token, else localhost.
      #expect(
        (from.hasPrefix("\"notify-unit\" <notify-unit@") && from.hasSuffix(">"))
          || from == "notify-unit@localhost", "\(from)")
      #expect(from.filter { $0 == "@" }.count == 1)
    }
  }

  /// Any log, under any limits: the body shows its readable tail, the
  /// attachment decodes to the exact log (invalid UTF-8 as U+FFFD), no line
  /// over 998 octets, the boundary only where it delimits.
  @Test func anyLogDecodesToItselfUnderAnyLimits() async {
    let messages: Generator<[[UInt8]], some SendableSequenceType> = logMessage.array(of: 0...12)
    await propertyCheck(
      count: 200, input: messages, Gen.int(in: 0...6), attachmentCaps, readableLimits
    ) { (messages: [[UInt8]], lines: Int, cap: Int, readable: Int) in
      var c = MailCase(unit: "backup.service", host: "nas", messages: messages)
      c.bodyMaxLines = lines
      c.bodyMaxBytes = 500
      c.attachmentMaxBytes = cap
      c.maxReadableLineBytes = readable
      let violations = MailCheck.check(c)
      #expect(violations.isEmpty, "\(violations)")
    }
  }

  /// The same with the log gzip-compressed (the threshold lowered so small
  /// logs reach it): zlib's inflate gives the exact log, or its end after
  /// the note, and the gzip stays within the limit.
  @Test func anyCompressedLogDecodesToItself() async {
    let messages: Generator<[[UInt8]], some SendableSequenceType> = logMessage.array(of: 1...12)
    let caps: Generator<Int, some SendableSequenceType> = Gen.element(of: [
      10, 64, 100, 300, 5000, 1 << 20,
    ]).map { $0 ?? 64 }
    await propertyCheck(count: 200, input: messages, caps, Gen.int(in: 0...300)) {
      (messages: [[UInt8]], cap: Int, threshold: Int) in
      var c = MailCase(unit: "backup.service", host: "nas", messages: messages)
      c.bodyMaxLines = 1
      c.attachmentMaxBytes = cap
      c.compressAboveBytes = threshold
      let violations = MailCheck.check(c)
      #expect(violations.isEmpty, "\(violations)")
    }
  }

  /// A large, repetitive log (a 100,000-line run in small): compressed, its
  /// whole fits where the plain log would be cut.
  @Test func aLargeLogIsAttachedWholeWhenCompressed() throws {
    let messages = (0..<20_000).map { Array("restic processed file /srv/data/\($0).bin".utf8) }
    var c = MailCase(unit: "backup.service", host: "nas", messages: messages)
    c.attachmentMaxBytes = 600_000
    let mail = c.compose()
    #expect(MailCheck.check(mail, c).isEmpty, "\(MailCheck.check(mail, c))")
    let parsed = try ParsedMessage.parse(Data(mail.message))
    #expect(parsed.defects.isEmpty)
    #expect(parsed.attachment?.contentType == "application/gzip")
    #expect(parsed.attachment?.filename?.hasSuffix(".log.gz") == true)
    var exact: [UInt8] = []
    for r in mail.records { exact += LogLineRule.exactLine(r) }
    #expect(exact.count > c.attachmentMaxBytes)
    #expect(parsed.attachment?.text == String(decoding: exact, as: UTF8.self))
    #expect(parsed.body.contains("; the whole log is attached as backup.service-"))
    #expect(mail.message.count < exact.count / 3)
  }

  @Test func headerEncodingOfAnyText() async {
    await propertyCheck(count: 300, input: anyText, Gen.int(in: 0...80)) {
      (text: String, used: Int) in
      let violations = HeaderCheck.check(text: text, firstLineUsed: used)
      #expect(violations.isEmpty, "\(violations)")
    }
  }

  /// A few hostile messages as a mail client reads them (Python's email
  /// package): no defects, the same headers, the subject and the exact log.
  @Test func aMailClientReadsHostileMessagesWithoutDefects() async throws {
    var cases: [MailCase] = []
    // Two lines at least, one shown: the log is attached.
    let messages: Generator<[[UInt8]], some SendableSequenceType> = logMessage.array(of: 2...6)
    await propertyCheck(count: 4, input: hostileText, hostileText, messages) {
      (unit: String, host: String, messages: [[UInt8]]) in
      var c = MailCase(unit: unit, host: host, description: unit, messages: messages)
      c.bodyMaxLines = 1
      cases.append(c)
    }
    for c in cases {
      let mail = c.compose()
      let parsed = try ParsedMessage.parse(Data(mail.message))
      #expect(parsed.defects.isEmpty, "\(parsed.defects)")
      #expect(parsed.maxLineOctets <= 998)
      #expect(
        parsed.headerNames == [
          "From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Auto-Submitted",
          "X-Notify-Unit-Result", "X-Notify-Unit-Invocation", "Content-Type",
        ])
      #expect(parsed.headers["Subject"] == mail.report.headline)
      #expect(parsed.headers["To"]?.contains("admin@example.org") == true)
      var exact: [UInt8] = []
      for r in mail.records { exact += LogLineRule.exactLine(r) }
      #expect(parsed.attachment?.text == String(decoding: exact, as: UTF8.self))
      #expect(parsed.body.hasPrefix(mail.report.headline + "\n"))
    }
  }

  static func headers(_ message: [UInt8]) -> [Header] {
    let text = String(decoding: message, as: UTF8.self)
    let head = text.components(separatedBy: "\n\n")[0]
    var result: [Header] = []
    for line in head.split(separator: "\n") {
      if line.hasPrefix(" ") {
        result[result.count - 1].value += "\n" + line
      } else if let colon = line.firstIndex(of: ":") {
        result.append(
          Header(
            name: String(line[..<colon]), value: String(line[line.index(colon, offsetBy: 2)...])))
      }
    }
    return result
  }

  struct Header: Equatable {
    var name: String
    var value: String
  }
}

@Suite struct ConfigAndEnvironmentPropertyTests {
  static let secretValues = [
    "https://user:s3cr3tpassword@hc.example.org", "htps://user:s3cr3tpassword@hc.example.org",
    "\"open", "'open", "a@b\\", "30s", "yes", "x@example.org, \"Doe, J\" <j@example.org>",
  ]

  /// Any config: no crash, one clean line per problem naming its line, no
  /// HC_URL password in a message, CRLF read as LF.
  @Test func anyConfigFile() async {
    let keys = Gen.element(of: Settings.keys + ["HC_URL", "HC_URL", "NOPE", "1BAD", "MAIL_ON_x"])
      .map { $0 ?? "" }
    let separators = Gen.element(of: ["=", " = ", " ", ""]).map { $0 ?? "" }
    let values = zip(Gen.bool, Gen.element(of: Self.secretValues), hostileText).map {
      (pick: (Bool, String?, String)) -> String in pick.0 ? pick.1 ?? "" : pick.2
    }
    let line = zip(keys, separators, values).map { (l: (String, String, String)) -> String in
      l.0 + l.1 + l.2
    }
    await propertyCheck(count: 300, input: line.array(of: 0...6)) { (lines: [String]) in
      let violations = ConfigCheck.check(text: lines.joined(separator: "\n"))
      #expect(violations.isEmpty, "\(violations)")
    }
  }

  /// Never success unless SERVICE_RESULT (or MONITOR_SERVICE_RESULT for a
  /// handler) says success, whatever the other variables say.
  @Test func successOnlyFromServiceResult() async {
    let known = [
      "success", " success ", "SUCCESS", "succes", "success\0", "success\r\n", "", "exit-code",
    ]
    let result = zip(Gen.bool, Gen.element(of: known), hostileText).map {
      (pick: (Bool, String?, String)) -> String in pick.0 ? pick.1 ?? "" : pick.2
    }
    let code = Gen.element(of: ["exited", "killed", "dumped", "", "\n"]).map { $0 ?? "" }
    let status = Gen.element(of: ["0", "1", "300", "TERM", "-1", "\u{1B}"]).map { $0 ?? "" }
    await propertyCheck(count: 300, input: result, code, status, Gen.bool) {
      (result: String, code: String, status: String, monitor: Bool) in
      let prefix = monitor ? "MONITOR_" : ""
      let env = [
        prefix + "SERVICE_RESULT": result, prefix + "EXIT_CODE": code,
        prefix + "EXIT_STATUS": status, (monitor ? "" : "MONITOR_") + "SERVICE_RESULT": "success",
      ]
      let violations = EnvironmentCheck.check(environment: env, prefix: prefix)
      #expect(violations.isEmpty, "\(violations)")
      let outcome = RunOutcome(environment: env, prefix: prefix)
      #expect(outcome.isSuccess == (result.trimmingASCIIWhitespace == "success"))
    }
  }
}

/// The bugs the fuzzers found, as plain examples.
@Suite struct FuzzFindingTests {
  @Test func crlfConfigFilesReadLikeLF() {
    var settings = Settings()
    let problems = settings.apply(configText: "MAIL_TO=a@example.org\r\nTIMEOUT=30\r\n")
    #expect(problems.isEmpty)
    #expect(settings.mailTo.map(\.address) == ["a@example.org"])
    #expect(settings.timeout == 30)
    #expect("success\r\n".trimmingASCIIWhitespace == "success")
  }

  @Test func messageIDDomainIsADotAtom() {
    for host in ["@", "a@b", "..x..", "nas.", "_"] {
      let mail = MailCase(unit: "u.service", host: host, messages: []).compose()
      let text = String(decoding: mail.message, as: UTF8.self)
      let id = text.split(separator: "\n").first { $0.hasPrefix("Message-ID: ") }!
      let domain = id.split(separator: "@").dropFirst().joined(separator: "@").dropLast()
      #expect(!domain.contains("@") && !domain.contains("..") && !domain.hasPrefix("."))
      #expect(!domain.hasSuffix(".") && !domain.isEmpty, "\(id)")
    }
  }

  @Test func longDisplayNamesAreFolded() throws {
    let address = try MailAddress(
      parsing: String(repeating: "N", count: 1000) + " <a@example.org>")
    #expect(address.headerValue.split(separator: "\n").allSatisfy { $0.utf8.count <= 78 })
    #expect(address.headerValue.hasSuffix(" <a@example.org>"))
    let short = try MailAddress(parsing: "Backup Bot <b@example.org>")
    #expect(short.headerValue == "\"Backup Bot\" <b@example.org>")
  }

  @Test func configMessagesDoNotShowAnHCURLPassword() {
    var settings = Settings()
    let problems = settings.apply(
      configText: "HC_URL=htps://user:s3cr3tpassword@hc.example.org\n"
        + "HC_URL https://user:s3cr3tpassword@hc.example.org\n")
    #expect(problems.count == 2)
    #expect(problems.allSatisfy { !$0.contains("s3cr3t") }, "\(problems)")
    #expect(
      problems.contains { $0.hasPrefix("line 1: ") && $0.contains("\"…@hc.example.org\"") })
    #expect(problems.contains("line 2: no \"=\" in the line starting \"HC_URL\""))
  }

  @Test func noEmptyEncodedWordOnATightFirstLine() {
    let value = HeaderEncoding.encodedWords("💾x", firstLineUsed: 64)
    #expect(!value.contains("=?UTF-8?B??="))
    #expect(value.hasPrefix("=?UTF-8?B?8J+Svg==?="))
  }
}
