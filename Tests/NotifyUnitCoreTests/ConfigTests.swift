import Testing

@testable import NotifyUnitCore

@Suite struct ConfigTests {
  @Test func environmentFileSyntax() {
    let text = """
      # comment
      ; also a comment
      MAIL_TO=admin@example.org   
        MAIL_FROM = "Backup Bot <bot@example.org>"
      HC_URL='https://hc.example.org/ping'
      SENDMAIL=/usr/sbin/send\\
      mail
      QUOTED="a \\"b\\" \\\\ c"

      """
    let (assignments, problems) = EnvironmentFile.parse(text)
    #expect(problems.isEmpty)
    let values = Dictionary(uniqueKeysWithValues: assignments.map { ($0.key, $0.value) })
    #expect(values["MAIL_TO"] == "admin@example.org")
    #expect(values["MAIL_FROM"] == "Backup Bot <bot@example.org>")
    #expect(values["HC_URL"] == "https://hc.example.org/ping")
    #expect(values["SENDMAIL"] == "/usr/sbin/sendmail")
    #expect(values["QUOTED"] == "a \"b\" \\ c")
  }

  @Test func problemsNameTheLine() {
    let (_, problems) = EnvironmentFile.parse("GOOD=1\nno equals here\n1BAD=2\nQ=\"open\n")
    #expect(problems.map(\.line) == [2, 3, 4])
    #expect(problems[2].description.contains("unterminated double quote"))
  }

  @Test func settingsFromFileAndFlags() throws {
    var settings = Settings()
    let problems = settings.apply(
      configText: """
        MAIL_TO="a@example.org, B <b@example.org>"
        TIMEOUT=30
        PING_RETRIES=2
        DRY_RUN=yes
        """)
    #expect(problems.isEmpty)
    #expect(settings.mailTo.map(\.address) == ["a@example.org", "b@example.org"])
    #expect(settings.timeout == 30)
    #expect(settings.dryRun)
    // A flag replaces the file's list; repeated flags append.
    try settings.set("MAIL_TO", "c@example.org")
    try settings.set("MAIL_TO", "d@example.org", append: true)
    #expect(settings.mailTo.map(\.address) == ["c@example.org", "d@example.org"])
    try settings.set("MAIL_TO", "\"Doe, John\" <j@example.org>, x@example.org")
    #expect(
      settings.mailTo.map(\.headerValue) == ["\"Doe, John\" <j@example.org>", "x@example.org"])
  }

  @Test func badValuesAreReportedAndSkipped() {
    var settings = Settings()
    let problems = settings.apply(
      configText:
        "TIMEOUT=soon\nMAIL_TO=not@an@address\nNOPE=1\nPING_RETRIES=3\nSENDMAIL=sendmail\n")
    #expect(problems.count == 4)
    #expect(problems[0].hasPrefix("line 1: TIMEOUT must be seconds"))
    #expect(problems[1].contains("not a mail address"))
    #expect(problems[2].contains("unknown setting NOPE"))
    #expect(settings.timeout == 45)
    #expect(settings.pingRetries == 3)
  }

  @Test func addressesCannotSmuggleHeadersOrRecipients() {
    for bad in [
      "a@b\nBcc: evil@x", "a@b\rX: y", "a@b, c@d", "<a@b\n>", "Name <a@b>\nX: y", "a b@c",
      "\"N\" <a@b",
      "Name\u{0}x <a@b>",
    ] {
      #expect(throws: ConfigurationError.self) { try MailAddress(parsing: bad) }
    }
    let ok = try? MailAddress(parsing: "Jörg Backup <jb@example.org>")
    #expect(ok?.headerValue.hasPrefix("=?UTF-8?B?") == true)
    #expect(ok?.headerValue.hasSuffix(" <jb@example.org>") == true)
  }

  /// `MAIL_TO=root`, the conffile's example and what Debian's own tools
  /// suggest: a local recipient, which the MTA routes.
  @Test func localRecipientsAreAcceptedAndQualifiedWithTheHost() throws {
    var settings = Settings()
    let problems = settings.apply(
      configText: "MAIL_TO=root, admin@example.org, Backup Admin <backup-admin>\nMAIL_FROM=nu\n")
    #expect(problems.isEmpty, "\(problems)")
    #expect(settings.mailTo.map(\.address) == ["root", "admin@example.org", "backup-admin"])
    #expect(settings.mailTo.map(\.isLocal) == [true, false, true])
    // The headers and the envelope need a domain (RFC 5322): the host's.
    #expect(
      settings.mailRecipients(domain: "nas").map(\.headerValue) == [
        "root@nas", "admin@example.org", "\"Backup Admin\" <backup-admin@nas>",
      ])
    #expect(settings.mailSender(host: "nas", domain: "nas").address == "nu@nas")
    // A host name that makes no domain: localhost.
    #expect(settings.mailRecipients(domain: "a@b").first?.address == "root@localhost")
  }

  @Test func aLocalRecipientCannotSmuggleHeadersRecipientsOrOptions() {
    for bad in [
      "root\nBcc: evil@x", "root\rX: y", "root,evil", "root evil", "<root", "root>", "-oQ",
      "-froot", "|/bin/sh", "/etc/passwd", ".root", "root;x", "root:x", "\"root\"", "röot",
      String(repeating: "r", count: 65), "Name <root\n>", "Name <-oi>",
    ] {
      #expect(throws: ConfigurationError.self, "\(bad)") { try MailAddress(parsing: bad) }
    }
    var settings = Settings()
    let problems = settings.apply(configText: "MAIL_TO=root, -oQ\n")
    // The message says what would have been accepted.
    #expect(problems.count == 1)
    #expect(problems.first?.contains("a local name such as root") == true, "\(problems)")
    #expect(problems.first?.contains("user@example.org") == true)
  }

  @Test func smtpURLIsCheckedAndItsCredentialsAreHidden() throws {
    var settings = Settings()
    try settings.set("SMTP_URL", "smtp://backup:hunter2-pass@relay.example.org:587")
    let relay = try #require(settings.smtpRelay)
    #expect(relay.redacted == "smtp://…@relay.example.org:587")
    #expect(relay.scrub("login as backup:hunter2-pass failed") == "login as … failed")
    for bad in ["http://relay", "smtp://", "smtp://a b", "smtp://relay?x=1", "smtp://u@:25"] {
      #expect(throws: ConfigurationError.self) { try SMTPRelay(parsing: bad) }
    }
    try settings.set("SMTP_URL", "")
    #expect(settings.smtpRelay == nil)
  }

  /// A secret file written on Windows or by `echo -e`: CRLF, more lines.
  @Test func secretFilesGiveTheirFirstLineWhateverTheLineEnds() {
    var settings = Settings()
    let problems = settings.apply(configText: "SMTP_URL_FILE=/f\n") { path in
      path == "/f"
        ? .success("smtp://u:pw@relay.example.org\r\nsecond line\r\n") : .failure(.invalid("no"))
    }
    #expect(problems.isEmpty, "\(problems)")
    #expect(settings.smtpRelay?.url == "smtp://u:pw@relay.example.org")
    #expect(settings.secretsInConfigText.isEmpty)
    #expect("  abc \r\nxyz".firstLineTrimmed == "abc")
    #expect("".firstLineTrimmed == "")
  }
}
