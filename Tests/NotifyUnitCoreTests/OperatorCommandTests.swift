import Testing

@testable import NotifyUnitCore

/// The pure parts of doctor, status and test: key suggestions, doctor's
/// lines, a unit's wiring judged, the status text and JSON, redaction.
@Suite struct KeySuggestionTests {
  @Test func typosPointAtTheNearestKey() {
    let keys = Settings.configKeys
    #expect(KeySuggestion.nearest(to: "MAIL_T0", among: keys) == "MAIL_TO")
    #expect(KeySuggestion.nearest(to: "MIAL_TO", among: keys) == "MAIL_TO")  // a swap is one edit
    #expect(KeySuggestion.nearest(to: "smtp_url", among: keys) == "SMTP_URL")
    #expect(KeySuggestion.nearest(to: "HC_URL_FIEL", among: keys) == "HC_URL_FILE")
    #expect(KeySuggestion.nearest(to: "PING_RETRY", among: keys) == "PING_RETRIES")
    // Nothing near: no guess.
    #expect(KeySuggestion.nearest(to: "BOGUS", among: keys) == nil)
    #expect(KeySuggestion.nearest(to: "MAIL_TO", among: keys) == nil)
  }

  @Test func distanceCountsEachEditOnce() {
    func d(_ a: String, _ b: String) -> Int { KeySuggestion.distance(Array(a.utf8), Array(b.utf8)) }
    #expect(d("", "abc") == 3)
    #expect(d("kitten", "sitting") == 3)
    #expect(d("ab", "ba") == 1)
    #expect(d("TIMEOUT", "TIMEOUT") == 0)
  }

  @Test func theConfigLoadSaysDidYouMean() {
    var settings = Settings()
    let problems = settings.apply(configText: "MAIL_TO=a@b.org\nSENDMAIL_=/usr/sbin/sendmail\n")
    #expect(problems == ["line 2: unknown setting SENDMAIL_ (did you mean SENDMAIL?)"])
    #expect(settings.mailTo.map(\.address) == ["a@b.org"])
  }
}

@Suite struct DoctorReportTests {
  @Test func linesAndSummary() {
    let report = DoctorReport(checks: [
      .pass("mail", "sendmail /usr/sbin/sendmail is there"),
      .fail("state directory", "/x is not a directory", fix: "set STATE_DIRECTORY="),
    ])
    #expect(!report.allPassed)
    #expect(
      report.text == """
        ✓ mail: sendmail /usr/sbin/sendmail is there
        ✗ state directory: /x is not a directory — fix: set STATE_DIRECTORY=
        1 of 2 checks failed

        """)
    #expect(DoctorReport(checks: [.pass("a", "b")]).allPassed)
    // A finding from outside cannot break the one-line form.
    #expect(!DoctorCheck.pass("x", "a\nb").line.contains("\n"))
  }

  @Test func journalAccessByGroup() {
    #expect(JournalAccess.grantedBy(user: "root", groups: []) == "root")
    #expect(JournalAccess.grantedBy(user: "restic", groups: ["restic", "adm"]) == "adm")
    #expect(JournalAccess.grantedBy(user: "restic", groups: ["restic", "users"]) == nil)
  }
}

@Suite struct UnitWiringTests {
  let check = "5f1e9b52-2c3a-4a7d-9a53-3c1b1a7f0b11"

  func wired(
    ignore: Bool = true, argv: [String]? = nil, onFailure: [String] = ["notify-failure@x.service"],
    user: String = "restic", groups: [String] = ["systemd-journal"]
  ) -> UnitWiring {
    var w = UnitWiring(unit: "backup.service", loadState: "loaded")
    w.execStopPost = [
      .init(
        path: "/usr/local/bin/notify-unit",
        arguments: argv ?? ["/usr/local/bin/notify-unit", "backup.service", "env:HC_CHECK"],
        ignoresFailure: ignore, privileged: false)
    ]
    w.onFailure = onFailure
    w.user = user
    w.groups = groups
    w.environment = [("HC_CHECK", check)]
    w.logRateLimitBurst = 1_000_000
    return w
  }

  /// Without LogRateLimitBurst=, journald drops a verbose run's lines:
  /// a warning with the fix, which does not fail the doctor.
  @Test func aUnitWithoutLogRateLimitBurstIsWarnedAbout() {
    var w = wired()
    w.logRateLimitBurst = 0
    let result = checks(w)
    let warning = result.first { $0.subject == "backup.service: log rate limit" }
    #expect(warning?.passed == true)
    #expect(warning?.fix?.contains("LogRateLimitBurst=1000000") == true)
    #expect(warning?.line.hasPrefix("⚠ ") == true)
    #expect(!checks(wired()).contains { $0.subject.hasSuffix("log rate limit") })
  }

  func checks(_ w: UnitWiring) -> [DoctorCheck] {
    w.checks {
      w.resolution(
        of: $0, hcURL: "https://hc.example.org/ping", readFile: { _ in .failure(.invalid("no")) })
    }
  }

  @Test func aUnitWiredRightPassesAndNeverShowsItsCheck() {
    let result = checks(wired())
    #expect(result.count == 4)
    #expect(result.allSatisfy { $0.passed }, "\(result.map(\.line))")
    #expect(result.last?.finding == "pings https://hc.example.org/ping/5f1e…")
    #expect(!result.map(\.line).joined().contains(check))
  }

  @Test func eachFaultIsOneFailedCheckWithItsFix() {
    let noDash = checks(wired(ignore: false))
    #expect(noDash[0].passed == false && noDash[0].finding.contains("without the \"-\" prefix"))
    let noHandler = checks(wired(onFailure: []))
    #expect(noHandler[1].passed == false && noHandler[1].fix?.contains("OnFailure=") == true)
    let noJournal = checks(wired(groups: ["restic"]))
    #expect(noJournal[2].passed == false)
    #expect(noJournal[2].fix?.contains("SupplementaryGroups=systemd-journal") == true)
    var bad = wired()
    bad.environment = [("HC_CHECK", "not a check")]
    let badCheck = checks(bad)
    #expect(badCheck[3].passed == false && badCheck[3].finding.contains("does not resolve"))
    var bare = wired()
    bare.execStopPost = [
      .init(path: "/bin/true", arguments: ["/bin/true"], ignoresFailure: true, privileged: false)
    ]
    let missing = checks(bare)
    #expect(missing[0].passed == false && missing[0].finding.contains("no notify-unit line"))
    #expect(checks(UnitWiring(unit: "x.service", loadState: "not-found")).map(\.passed) == [false])
  }

  /// systemd loads a unit whose notify-unit is not there and skips the line
  /// at run time ("Executable … missing"): a ✗ with the installed path.
  @Test func aMissingNotifyUnitExecutableFailsWithTheInstalledPath() {
    var w = wired()
    w.execStopPost[0].isExecutable = false
    w.execStartPre = [
      .init(
        path: "/usr/local/bin/notify-unit",
        arguments: ["/usr/local/bin/notify-unit", "start", "%n", "env:HC_CHECK"],
        ignoresFailure: true, privileged: false, isExecutable: false),
      .init(
        path: "/usr/bin/missing-tool", arguments: ["/usr/bin/missing-tool"], ignoresFailure: false,
        privileged: false, isExecutable: false),
    ]
    let result = w.checks(installedPath: "/usr/bin/notify-unit") { _ in .none }
    let stopPost = result.first { $0.subject == "backup.service: ExecStopPost=" }
    #expect(stopPost?.passed == false, "\(result.map(\.line))")
    #expect(stopPost?.finding.contains("/usr/local/bin/notify-unit is not an executable") == true)
    #expect(
      stopPost?.fix?.contains("ExecStopPost=-/usr/bin/notify-unit backup.service env:HC_CHECK")
        == true, "\(stopPost?.line ?? "")")
    // The start signal's line too; a line that is not notify-unit's is not ours to judge.
    let startPre = result.filter { $0.subject == "backup.service: ExecStartPre=" }
    #expect(startPre.count == 1)
    #expect(startPre.first?.fix?.contains("ExecStartPre=-/usr/bin/notify-unit start %n") == true)
    // Where the path is the installed one, the fix is to install it.
    let installed = w.checks(installedPath: "/usr/local/bin/notify-unit") { _ in .none }
    #expect(
      installed.first { $0.subject == "backup.service: ExecStopPost=" }?.fix?.hasPrefix(
        "install notify-unit as /usr/local/bin/notify-unit") == true)
    // Present, it passes as before.
    #expect(checks(wired()).allSatisfy { $0.passed })
  }

  /// restic.env's `HC_BACKUP=` ("empty: no ping") is a mail-only set-up,
  /// which passes; unset, the same but for a missing EnvironmentFile=,
  /// passes with a warning that says both ways to settle it.
  @Test func anEmptyCheckVariableIsMailOnlyAndPasses() {
    var empty = wired()
    empty.environment = [("HC_CHECK", "")]
    let mailOnly = checks(empty)
    #expect(mailOnly.allSatisfy { $0.passed && $0.fix == nil }, "\(mailOnly.map(\.line))")
    let line = mailOnly.first { $0.subject == "backup.service: check" }
    #expect(line?.finding.contains("HC_CHECK is empty: runs are mailed, not pinged") == true)
    #expect(DoctorReport(checks: mailOnly).allPassed)

    var unset = wired()
    unset.environment = []
    let warned = checks(unset).first { $0.subject == "backup.service: check" }
    #expect(warned?.passed == true && warned?.line.hasPrefix("⚠ ") == true)
    #expect(warned?.finding.contains("HC_CHECK is not set") == true)
    #expect(warned?.fix?.contains("HC_CHECK= empty") == true)

    // HC_CHECK=file:PATH, as restic.env allows: the file holds the check.
    var inFile = wired()
    inFile.environment = [("HC_CHECK", "file:/etc/restic/hc-backup")]
    let resolution = inFile.resolution(
      of: "env:HC_CHECK", hcURL: "https://hc.example.org/ping",
      readFile: {
        $0 == "/etc/restic/hc-backup" ? .success(check + "\n") : .failure(.invalid("no"))
      })
    #expect(resolution == .resolved(shown: "https://hc.example.org/ping/5f1e…"))
  }

  @Test func thePlusPrefixRunsAsRootAndOptionsAreSkipped() {
    var w = wired(
      argv: [
        "notify-unit", "--mail-to", "a@b.org", "--on-failure", "--timeout=30", "backup.service",
        check,
      ],
      groups: [])
    w.execStopPost[0].privileged = true
    let result = checks(w)
    #expect(result.allSatisfy { $0.passed }, "\(result.map(\.line))")
    #expect(UnitWiring.check(of: w.execStopPost[0]) == check)
    // `notify-unit start` is the start signal, not the report.
    w.execStopPost[0].arguments = ["notify-unit", "start", "backup.service"]
    #expect(w.reportCommands.isEmpty)
  }
}

@Suite struct StatusReportTests {
  let now: UInt64 = 1_800_000_000_000_000

  var report: StatusReport {
    StatusReport(
      stateDirectory: "/var/lib/notify-unit",
      units: [
        .init(
          unit: "prune.service",
          record: UnitStateRecord(
            success: true, result: "success", invocationID: nil, time: now - 7_200_000_000)),
        .init(
          unit: "backup.service",
          record: UnitStateRecord(
            success: false, result: "exit-code",
            invocationID: "0123456789abcdef0123456789abcdef", time: now - 90_000_000,
            mail: "spooled", ping: "sent")),
      ],
      spool: [
        .init(
          kind: "mail", unit: "backup.service", created: now - 90_000_000,
          reason: "sendmail exited with status 75 \"quoted\"", destination: "/usr/sbin/sendmail")
      ])
  }

  @Test func textNamesOutcomeAgeMailPingAndTheSpool() {
    let text = report.text(now: now, renderer: LogRenderer(zone: .utc))
    let lines = text.split(separator: "\n").map(String.init)
    #expect(lines[0] == "Units reported (state directory /var/lib/notify-unit):")
    // Sorted by unit; an older record says it did not record mail and ping.
    #expect(
      lines[1].hasPrefix("  backup.service: failed (exit-code), 2027-01-15 07:58:30 (1 min ago)"))
    #expect(lines[1].hasSuffix("mail: spooled; ping: sent"))
    #expect(lines[2].hasSuffix("(2 h ago); mail: not recorded; ping: not recorded"))
    #expect(lines[3] == "Waiting in the spool (1):")
    #expect(
      lines[4].contains("mail of backup.service to /usr/sbin/sendmail, due 2027-01-15 07:58:30"))
    #expect(lines[4].hasSuffix("(waiting 1 min): sendmail exited with status 75 \"quoted\""))
  }

  @Test func jsonIsValidAndComplete() {
    let json = report.json(now: now)
    #expect(
      json.hasPrefix(
        "{\"state_directory\":\"/var/lib/notify-unit\",\"units\":[{\"unit\":\"backup.service\""))
    #expect(json.contains("\"success\":false,\"result\":\"exit-code\""))
    #expect(json.contains("\"time\":\"2027-01-15T07:58:30Z\",\"age_seconds\":90"))
    #expect(json.contains("\"mail\":null,\"ping\":null"))
    #expect(json.contains("\"reason\":\"sendmail exited with status 75 \\\"quoted\\\"\""))
    #expect(JSON.string("a\u{1}\n\\") == "\"a\\u0001\\n\\\\\"")
  }

  @Test func spooledPingURLsKeepOnlyServerAndKind() {
    let uuid = "5f1e9b52-2c3a-4a7d-9a53-3c1b1a7f0b11"
    #expect(
      redactedSpooledPingURL("https://u:pw@hc.example.org/ping/\(uuid)/fail?rid=x")
        == "https://hc.example.org/…/fail")
    #expect(
      redactedSpooledPingURL("http://127.0.0.1:8000/ping/key12345/my-slug")
        == "http://127.0.0.1:8000/…")
    #expect(redactedSpooledPingURL("http://h/\(uuid)/3") == "http://h/…/3")
    #expect(
      redactedBaseURL("https://user:secret@hc.example.org/ping") == "https://…@hc.example.org/ping")
    #expect(redactedBaseURL("https://hc-ping.com") == "https://hc-ping.com")
  }

  @Test func theTestMailIsMarkedAsATest() throws {
    let mail = TestMail(
      sender: try MailAddress(parsing: "nu@host"),
      recipients: [try MailAddress(parsing: "a@b.org")],
      host: "höst", time: now, nonce: "abc", transport: "/usr/sbin/sendmail")
    let text = String(decoding: mail.bytes, as: UTF8.self)
    #expect(mail.subject == "[TEST] notify-unit test mail from höst")
    #expect(text.contains("Subject: =?UTF-8?B?"))
    #expect(text.contains("\nX-Notify-Unit-Test: yes\n"))
    #expect(text.contains("\nAuto-Submitted: auto-generated\n"))
    #expect(text.contains("Message-ID: <\(now).abc.test.notify-unit@h__st>"))
    #expect(mail.bytes.allSatisfy { $0 < 0x80 })
  }
}
