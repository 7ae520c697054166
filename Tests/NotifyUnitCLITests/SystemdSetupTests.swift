import Foundation
import TestSupport
import Testing

/// The whole backup setup under a real, booted systemd: installed as the
/// README says (scripts/install-backup), with a real restic repository, exim4
/// delivering to a local mailbox, and the loopback Healthchecks peer on the
/// host. Asserts what really arrived, one scenario after the other in one
/// container (booting takes seconds; the container is removed at the end
/// even when a check fails). Every scenario on Debian 12 and on Debian 13,
/// with the same binary (built on the host) and the same units.
@Suite(.serialized) struct SystemdSetupTests {
  let backupCheck = SecretLedger.newCheck()
  let pruneCheck = SecretLedger.newCheck()

  @Test(arguments: SystemdContainer.Release.allCases)
  func backupSetupEndToEnd(on release: SystemdContainer.Release) throws {
    let server = try HealthchecksServer(checks: [backupCheck, pruneCheck])
    let c = try SystemdContainer(binary: Paths.notifyUnit, release: release)
    defer { c.stop() }
    try install(c, server: server)
    let scenarios: [(String, (SystemdContainer, HealthchecksServer) throws -> Void)] = [
      ("units", unitsAreSound), ("success", successfulBackup), ("failure", failingBackup),
      ("on-failure", onFailureHandler),
      ("lone dot", loneDotDoesNotCutTheMail), ("verbose", verboseRunKeepsEveryLine),
      ("ping down", unreachableHealthchecksDoesNotFailTheBackup),
      ("together", backupAndPruneTogether), ("mail size limit", logOverTheMailSizeLimit),
      ("mail on change", mailOnChange), ("relay down", relayDownThenFlushed),
      ("unprivileged", notifyUnitNeverRanAsRoot), ("drop-in example", dropInExample),
    ]
    for (name, scenario) in scenarios {
      try c.shell(": > /var/mail/admin; systemctl reset-failed")
      try server.reset()
      do {
        try scenario(c, server)
      } catch {
        Issue.record("scenario \(name): \(error)")
      }
    }
  }

  // MARK: Set-up

  func install(_ c: SystemdContainer, server: HealthchecksServer) throws {
    try c.shell("cd /src && scripts/install-backup", timeout: 120)
    // The sandboxed units mail over SMTP: install-backup configured it.
    #expect(
      try c.shell("grep ^SMTP_URL= /etc/notify-unit.conf").trimmed == "SMTP_URL=smtp://127.0.0.1")
    try c.shell(
      """
      useradd --create-home admin && touch /var/mail/admin && chown admin:mail /var/mail/admin
      printf 'MAIL_TO=admin@localhost\\nHC_URL=%s/ping\\nMAIL_ON=always\\n' '\(server.baseURL)' \\
        >> /etc/notify-unit.conf
      sed -i -e 's|^HC_BACKUP=.*|HC_BACKUP=\(backupCheck)|' -e 's|^HC_PRUNE=.*|HC_PRUNE=\(pruneCheck)|' \
        /etc/restic/restic.env
      echo /srv/data > /etc/restic/includes
      mkdir -p /srv/data /srv/restic-repo && chown restic:restic /srv/restic-repo
      for i in $(seq 1 20); do echo "file $i" > /srv/data/file$i; done
      echo secret > /srv/data/root-only && chmod 0600 /srv/data/root-only
      runuser -u restic -- env RESTIC_REPOSITORY=/srv/restic-repo \\
        RESTIC_PASSWORD_FILE=/etc/restic/password restic init
      """)
  }

  /// A test unit in the container: the given [Service] lines.
  func addUnit(_ c: SystemdContainer, _ name: String, _ body: String) throws {
    try c.shell(
      "cat > /etc/systemd/system/\(name) <<'UNIT'\n\(body)\nUNIT\nsystemctl daemon-reload")
  }

  // MARK: Observations

  /// The mails in the admin's mailbox, parsed.
  func mails(_ c: SystemdContainer) throws -> [ParsedMessage] {
    guard let data = c.file("/var/mail/admin"), !data.isEmpty else { return [] }
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("mbox-\(UUID())")
    try data.write(to: path)
    defer { try? FileManager.default.removeItem(at: path) }
    return try mboxMessages(path.path).map(ParsedMessage.parse)
  }

  /// The mails once `count` have arrived and two more seconds brought no
  /// other (a duplicate, a second report); at most `timeout` seconds.
  func settledMails(_ c: SystemdContainer, count: Int, timeout: Double = 30) throws
    -> [ParsedMessage]
  {
    let limit = Date().addingTimeInterval(timeout)
    while Date() < limit, try mails(c).count < count { usleep(200_000) }
    sleep(2)
    return try mails(c)
  }

  func invocation(_ c: SystemdContainer, _ unit: String) throws -> String {
    try c.shell("systemctl show -P InvocationID \(unit)").trimmed
  }

  func rid(_ invocation: String) -> String {
    let h = Array(invocation)
    return [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(h[$0]) }.joined(separator: "-")
  }

  func queueIsEmpty(_ c: SystemdContainer) throws {
    let queue = try c.shell("exim4 -bp")
    #expect(queue.trimmed.isEmpty, "mail left in exim's queue: \(queue)")
  }

  // MARK: Scenarios

  func unitsAreSound(_ c: SystemdContainer, _ server: HealthchecksServer) throws {
    let verify = try c.run(
      [
        "systemd-analyze", "verify", "backup.service", "backup.timer", "prune.service",
        "prune.timer", "notify-failure@backup.service.service", "notify-unit-flush@restic.service",
        "notify-unit-flush@restic.timer",
      ])
    #expect(verify.status == 0, "\(verify.stderr)")
    // Every shipped unit that runs notify-unit, as loaded: exposure <= 2.5.
    let security = try c.run(
      [
        "systemd-analyze", "security", "--threshold=25", "--no-pager", "backup.service",
        "prune.service", "notify-failure@backup.service.service",
        "notify-unit-flush@restic.service",
      ])
    #expect(security.status == 0, "\(security.stdoutText.suffix(2000))")
    // network-online.target, but no wait-online service of its own (it
    // stalls 120 s where networkd is unused).
    let dependencies = try c.shell(
      "systemctl list-dependencies --plain --no-pager backup.service prune.service")
    #expect(dependencies.contains("network-online.target"))
    #expect(!dependencies.contains("systemd-networkd-wait-online"))
    // Enabling the timers started no job (no Requires= in the timers).
    #expect(try invocation(c, "backup.service").isEmpty)
    let timers = try c.shell("systemctl list-timers --all --no-pager")
    #expect(timers.contains("backup.timer") && timers.contains("prune.timer"))
    #expect(timers.contains("notify-unit-flush@restic.timer"))
    // prune.timer says "first Monday": every elapse is a Monday, day 1-7.
    let calendar = try c.shell(
      "systemd-analyze calendar --iterations=12 \"$(sed -n 's/^OnCalendar=//p' /etc/systemd/system/prune.timer)\""
    )
    // "Iter. #2:" (systemd 252), "Iteration #2:" (257).
    let dates = calendar.split(separator: "\n").filter {
      $0.contains("Iter") || $0.contains("Next elapse")
    }
    #expect(dates.count == 12)
    for line in dates {
      let words = line.split(separator: " ")
      let day =
        words.first { $0.count == 10 && $0.hasPrefix("20") }.flatMap { Int($0.suffix(2)) } ?? 0
      #expect(line.contains(": Mon ") && (1...7).contains(day), "\(line)")
    }
  }

  func successfulBackup(_ c: SystemdContainer, _ server: HealthchecksServer) throws {
    let started = Date()
    try c.shell("systemctl start backup.service", timeout: 180)
    let id = try invocation(c, "backup.service")
    let mails = try settledMails(c, count: 1)
    #expect(mails.count == 1)
    let mail = try #require(mails.first)
    // What restic did, from its summary: "💚 backup.service: snapshot 8c71d5e0, +1.204 GiB on HOST".
    #expect(
      mail.headers["Subject"]?.hasPrefix("💚 backup.service: snapshot ") == true,
      "\(mail.headers["Subject"] ?? "")")
    // The restic user's mail has the run's log lines, restic's output too.
    #expect(mail.body.contains("==> backup started"))
    #expect(mail.body.contains("snapshot ") && mail.body.contains(" saved"))
    #expect(mail.body.contains("==> diff took"))
    #expect(mail.body.contains("Status (from systemd):"))
    // restic's ambient CAP_DAC_READ_SEARCH read the root-only file.
    #expect(!mail.body.contains("could not be read"))
    #expect(
      try c.shell(
        "runuser -u restic -- env RESTIC_REPOSITORY=/srv/restic-repo RESTIC_PASSWORD_FILE=/etc/restic/password restic ls latest"
      ).contains("/srv/data/root-only"))
    #expect(Date().timeIntervalSince(started) < 120)
    try queueIsEmpty(c)
    // notify-unit gave up restic's capability inside the sandbox.
    let log = try c.shell("journalctl -u backup.service -o cat --no-pager")
    #expect(!log.contains("could not drop capabilities"))
    // The start signal, then the finish: one run (one rid) for Healthchecks.
    let pings = try server.requests()
    #expect(pings.map(\.kind) == ["start", "success"])
    #expect(pings.allSatisfy { $0.check == backupCheck && $0.rid == rid(id) })
    #expect(pings.last?.bodyText.contains("==> diff took") == true)
  }

  func failingBackup(_ c: SystemdContainer, _ server: HealthchecksServer) throws {
    try c.shell(
      "cp /etc/restic/password /etc/restic/password.good && echo wrong > /etc/restic/password")
    defer { _ = try? c.shell("mv /etc/restic/password.good /etc/restic/password") }
    _ = try c.run(["systemctl", "start", "backup.service"], timeout: 180)
    #expect(try c.shell("systemctl is-failed backup.service || true").trimmed == "failed")
    let id = try invocation(c, "backup.service")
    // The OnFailure= handler ran and stayed quiet: one failure, one mail.
    let mails = try settledMails(c, count: 1)
    #expect(mails.count == 1)
    let mail = try #require(mails.first)
    // The reason up front: restic's own line, though stored at info.
    let status = c.release.resticStatus(.wrongPassword)
    #expect(
      mail.headers["Subject"]?.hasPrefix(
        "⛔ backup.service: Fatal: wrong password or no key found (exit-code, status \(status)) on ")
        == true, "\(mail.headers["Subject"] ?? "")")
    #expect(mail.body.contains("Reason:        Fatal: wrong password or no key found"))
    // restic 0.17+ says which failure by its status, and the mail names it.
    if status != 1 {
      #expect(mail.body.contains("exited with status \(status) (restic: wrong password)"))
    }
    let handler = try c.shell(
      "journalctl -u notify-failure@backup.service.service -o cat --no-pager")
    #expect(handler.contains("reported this run already"))
    let pings = try server.requests()
    #expect(pings.map(\.kind) == ["start", "exit"])
    #expect(pings.last?.exitStatus == status)
    #expect(pings.last?.rid == rid(id))
    #expect(pings.last?.bodyText.contains("wrong password") == true)
    try queueIsEmpty(c)
  }

  // The test units below live a second. journald stores the lines of a
  // process that exited before it read them without their invocation (its
  // cgroup is gone), under load even for `echo`; notify-unit then takes
  // them by the unit's name (InvocationLogTests), but whether the race
  // happens is luck: the checks here should not depend on it.
  func onFailureHandler(_ c: SystemdContainer, _ server: HealthchecksServer) throws {
    try addUnit(
      c, "flaky.service",
      """
      [Unit]
      Description=A job without ExecStopPost=
      OnFailure=notify-failure@%n.service
      [Service]
      Type=oneshot
      ExecStart=/bin/sh -c 'echo preparing; echo "disk on fire" >&2; sleep 1; exit 4'
      """)
    _ = try c.run(["systemctl", "start", "flaky.service"])
    let id = try invocation(c, "flaky.service")
    let mails = try settledMails(c, count: 1)
    #expect(mails.count == 1)
    let mail = try #require(mails.first)
    #expect(mail.headers["Subject"]?.hasPrefix("⛔ flaky.service: exit-code (status 4) on ") == true)
    #expect(mail.body.contains("Reported from: OnFailure= handler (MONITOR_*)"))
    #expect(mail.body.contains("Invocation:    \(id)"))
    #expect(mail.body.contains("disk on fire"))
    #expect(mail.body.contains("Description:   A job without ExecStopPost="))
    #expect(try server.requests().isEmpty)
    try handlerWithoutMonitorVariables(c, failedInvocation: id)
  }

  /// The handler's command in a unit of its own that no failure triggered
  /// gets no MONITOR_*, as on systemd < 251: it asks systemd over D-Bus which
  /// run failed and how.
  func handlerWithoutMonitorVariables(_ c: SystemdContainer, failedInvocation id: String) throws {
    try c.shell(
      ": > /var/mail/admin; systemd-run --wait --quiet -p User=notify-unit"
        + " -p SupplementaryGroups=systemd-journal /usr/local/bin/notify-unit --on-failure flaky.service"
    )
    let mails = try settledMails(c, count: 1)
    #expect(mails.count == 1)
    let mail = try #require(mails.first)
    #expect(mail.headers["Subject"]?.hasPrefix("⛔ flaky.service: exit-code (status 4) on ") == true)
    #expect(mail.body.contains("Reported from: OnFailure= handler (read from systemd over D-Bus)"))
    #expect(mail.body.contains("Invocation:    \(id)"))
    #expect(mail.body.contains("disk on fire"))
  }

  func loneDotDoesNotCutTheMail(_ c: SystemdContainer, _ server: HealthchecksServer) throws {
    try addUnit(
      c, "dots.service",
      """
      [Service]
      Type=oneshot
      ExecStart=/bin/sh -c 'echo before; echo .; echo "From here"; echo after the dot; sleep 1'
      ExecStopPost=-/usr/local/bin/notify-unit %n
      """)
    try c.shell("systemctl start dots.service")
    let mail = try #require(try settledMails(c, count: 1).first)
    #expect(mail.defects.isEmpty)
    #expect(mail.body.contains("sh["))
    #expect(mail.body.contains(": .\n"))
    #expect(mail.body.contains(": From here\n"))
    #expect(mail.body.contains(": after the dot\n"))
  }

  func verboseRunKeepsEveryLine(_ c: SystemdContainer, _ server: HealthchecksServer) throws {
    // 30,000 lines at once, more than journald's default burst (10,000 per
    // 30 s), through the settings the shipped units use; the report waits
    // for journald to store the last of them.
    try addUnit(
      c, "verbose.service",
      """
      [Service]
      Type=oneshot
      LogRateLimitIntervalSec=30s
      LogRateLimitBurst=1000000
      ExecStart=/bin/sh -c 'seq 1 30000 | sed "s/^/line /"; echo the last line'
      ExecStopPost=-/usr/local/bin/notify-unit %n
      """)
    try c.shell("systemctl start verbose.service", timeout: 120)
    let mail = try #require(try settledMails(c, count: 1).first)
    #expect(mail.body.contains(": the last line\n"))
    // 30,001 lines of the service and systemd's "Starting verbose.service...".
    #expect(mail.body.contains("Log lines:     30002"), "\(mail.body.prefix(900))")
    #expect(!mail.body.contains("Notes:"))
    let attachment = try #require(mail.attachment)
    #expect(attachment.text.contains(": line 1\n") && attachment.text.contains(": line 30000\n"))
  }

  func unreachableHealthchecksDoesNotFailTheBackup(
    _ c: SystemdContainer, _ server: HealthchecksServer
  ) throws {
    try c.shell(
      "cp /etc/notify-unit.conf /etc/notify-unit.conf.good && printf 'HC_URL=http://127.0.0.1:9\\nTIMEOUT=8\\n' >> /etc/notify-unit.conf"
    )
    defer { _ = try? c.shell("mv /etc/notify-unit.conf.good /etc/notify-unit.conf") }
    try c.shell("systemctl start backup.service", timeout: 180)
    #expect(try c.shell("systemctl show -P Result backup.service").trimmed == "success")
    let mails = try settledMails(c, count: 1)
    #expect(mails.count == 1)
    // A success after the failing scenario: mailed as the recovery.
    #expect(mails.first?.headers["Subject"]?.hasPrefix("💚 backup.service: recovered") == true)
    let log = try c.shell("journalctl -u backup.service -o cat --no-pager | tail -n 5")
    #expect(log.contains("ping not delivered"))
    // Nothing lost: the ping waits in the restic user's spool. (Its URL is
    // the unreachable one, so the story's next runs start without it.)
    let spool = "/var/lib/notify-unit/restic/spool"
    #expect(try c.shell("ls \(spool)").contains("-ping-backup_2eservice"))
    try c.shell("rm -f \(spool)/*")
  }

  /// The original notifier sent no mail and no ping when the log was over
  /// the MTA's size limit. The attachment limit keeps the mail under it; a
  /// mail refused all the same still leaves the ping, which says so.
  func logOverTheMailSizeLimit(_ c: SystemdContainer, _ server: HealthchecksServer) throws {
    try c.shell(
      """
      echo MESSAGE_SIZE_LIMIT=1M > /etc/exim4/exim4.conf.localmacros
      update-exim4.conf && systemctl restart exim4
      """)
    defer {
      _ = try? c.shell(
        "rm /etc/exim4/exim4.conf.localmacros; update-exim4.conf; systemctl restart exim4")
    }
    try addUnit(
      c, "big.service",
      """
      [Service]
      Type=oneshot
      LogRateLimitIntervalSec=30s
      LogRateLimitBurst=1000000
      ExecStart=/bin/sh -c 'head -c 3000000 /dev/urandom | base64 -w 76; echo the end of the big run; exit 1'
      ExecStopPost=-/usr/local/bin/notify-unit %n \(backupCheck)
      """)
    // Random text: gzip cannot make it small, so the mail stays large.
    // Over the limit with the default attachment limit (10 MiB): refused,
    // yet pinged, and the unit's result is its own.
    try c.shell("systemctl start big.service || true", timeout: 120)
    #expect(try c.shell("systemctl show -P Result big.service").trimmed == "exit-code")
    #expect(try settledMails(c, count: 1, timeout: 5).isEmpty)
    let ping = try #require(try server.requests().first)
    #expect(ping.kind == "exit" && ping.exitStatus == 1)
    #expect(
      ping.bodyText.contains(
        "note: the mail could not be sent: the SMTP relay smtp://127.0.0.1 did not take the mail"),
      "\(ping.bodyText.prefix(600))")
    #expect(ping.bodyText.contains(": the end of the big run\n"))
    // The refused mail is not lost: it waits in the spool (root's: the unit
    // has no User=), and would go out once the relay takes it. Removed
    // here, so that the scenarios after this one see only their own mail.
    #expect(try c.shell("ls /var/lib/notify-unit/spool").contains("-mail-big_2eservice"))
    defer { _ = try? c.shell("rm -f /var/lib/notify-unit/spool/*") }
    // Within it once ATTACHMENT_MAX_BYTES says so: delivered, its end attached.
    try c.shell("echo ATTACHMENT_MAX_BYTES=400000 >> /etc/notify-unit.conf")
    defer { _ = try? c.shell("sed -i '/^ATTACHMENT_MAX_BYTES=/d' /etc/notify-unit.conf") }
    try c.shell(
      "systemctl reset-failed big.service; systemctl start big.service || true", timeout: 120)
    let mail = try #require(try settledMails(c, count: 1).first)
    #expect(mail.size < 1_000_000)
    #expect(mail.attachment?.contentType == "application/gzip")
    #expect(
      mail.attachment?.text.hasSuffix(": the end of the big run\n") == true,
      "\(mail.attachment?.text.suffix(600) ?? "no attachment")")
  }

  /// MAIL_ON=change, the default: a failure and the recovery after it are
  /// mailed, a success after a success is not; every run is pinged. The
  /// outcome is kept in the unit user's state directory.
  func mailOnChange(_ c: SystemdContainer, _ server: HealthchecksServer) throws {
    try c.shell("sed -i 's/^MAIL_ON=.*/MAIL_ON=change/' /etc/notify-unit.conf")
    defer { _ = try? c.shell("sed -i 's/^MAIL_ON=.*/MAIL_ON=always/' /etc/notify-unit.conf") }
    try addUnit(
      c, "toggle.service",
      """
      [Service]
      Type=oneshot
      StateDirectory=toggle
      ExecStart=/bin/sh -c 'echo run; test ! -e /etc/toggle-fail'
      ExecStopPost=-/usr/local/bin/notify-unit %n \(backupCheck)
      """)
    for fail in [false, false, true, false, false] {
      try c.shell(fail ? "touch /etc/toggle-fail" : "rm -f /etc/toggle-fail")
      _ = try c.run(["systemctl", "start", "toggle.service"])
    }
    let subjects = try settledMails(c, count: 3).compactMap { $0.headers["Subject"] }
    #expect(subjects.count == 3)
    #expect(subjects.first?.hasPrefix("💚 toggle.service: success") == true)
    #expect(subjects.dropFirst().first?.hasPrefix("⛔ toggle.service: exit-code (status 1)") == true)
    #expect(subjects.last?.hasPrefix("💚 toggle.service: recovered") == true)
    #expect(
      try server.requests().filter { $0.kind != "start" }.map(\.kind) == [
        "success", "success", "exit", "success", "success",
      ])
    // Kept where systemd's StateDirectory= says ($STATE_DIRECTORY).
    #expect(try c.shell("ls /var/lib/toggle").contains("toggle_2eservice.state"))
  }

  /// The relay down at the end of a run: the mail waits in the restic
  /// user's spool, and the sandboxed notify-unit-flush@restic.service
  /// delivers it once the relay is back, marked as late.
  func relayDownThenFlushed(_ c: SystemdContainer, _ server: HealthchecksServer) throws {
    try c.shell("systemctl stop exim4")
    var restarted = false
    defer { if !restarted { _ = try? c.shell("systemctl start exim4") } }
    try c.shell("systemctl start backup.service", timeout: 180)
    #expect(try c.shell("systemctl show -P Result backup.service").trimmed == "success")
    #expect(try c.shell("ls /var/lib/notify-unit/restic/spool").contains("-mail-backup_2eservice"))
    try c.shell("systemctl start exim4")
    restarted = true
    try c.shell("systemctl start notify-unit-flush@restic.service", timeout: 60)
    let mail = try #require(try settledMails(c, count: 1).first)
    #expect(mail.headers["Subject"]?.contains("backup.service") == true)
    #expect(mail.headers["X-Notify-Unit-Delayed"]?.hasPrefix("spooled, due at") == true)
    #expect(try c.shell("ls /var/lib/notify-unit/restic/spool").trimmed.isEmpty)
  }

  /// The README's drop-in (units/examples), as a user adds it to a unit
  /// of their own: the check comes from its EnvironmentFile=, never from a
  /// command line.
  func dropInExample(_ c: SystemdContainer, _ server: HealthchecksServer) throws {
    try c.shell(
      """
      mkdir -p /etc/systemd/system/nightly.service.d /etc/notify-unit
      cp /src/units/examples/notify-unit-stop-post.conf /etc/systemd/system/nightly.service.d/
      (umask 077; echo HC_CHECK=\(backupCheck) > /etc/notify-unit/backup.env)
      """)
    try addUnit(
      c, "nightly.service",
      """
      [Service]
      Type=oneshot
      ExecStart=/bin/sh -c 'echo nightly job done; sleep 1'
      """)
    try c.shell("systemctl start nightly.service")
    let mail = try #require(try settledMails(c, count: 1).first)
    #expect(mail.body.contains(": nightly job done\n"))
    #expect(try server.requests().map(\.kind) == ["start", "success"])
    #expect(
      !(try c.shell("systemctl show -p ExecStopPost -p ExecStartPre nightly.service"))
        .contains(backupCheck))
  }

  /// Every notify-unit the units ran was the unprivileged user the docs
  /// recommend: its own lines in the journal carry that user's uid, and
  /// what it keeps belongs to that user.
  func notifyUnitNeverRanAsRoot(_ c: SystemdContainer, _ server: HealthchecksServer) throws {
    let uids = try c.shell(
      """
      journalctl -o export --no-pager _COMM=notify-unit \\
        _SYSTEMD_UNIT=backup.service + _COMM=notify-unit _SYSTEMD_UNIT=prune.service \\
        + _COMM=notify-unit _SYSTEMD_UNIT=notify-failure@backup.service.service \\
        + _COMM=notify-unit _SYSTEMD_UNIT=notify-unit-flush@restic.service \\
        | sed -n 's/^_UID=//p' | sort -u
      """)
    let restic = try c.shell("id -u restic").trimmed
    let handler = try c.shell("id -u notify-unit").trimmed
    #expect(!uids.trimmed.isEmpty)
    #expect(
      Set(uids.split(separator: "\n").map(String.init)).isSubset(of: [restic, handler]), "\(uids)")
    #expect(
      try c.shell("stat -c %U /var/lib/notify-unit/restic/backup_2eservice.state").trimmed
        == "restic")
    #expect(
      try c.shell("stat -c %U /var/lib/notify-unit/notify-unit/flaky_2eservice.state").trimmed
        == "notify-unit")
  }

  func backupAndPruneTogether(_ c: SystemdContainer, _ server: HealthchecksServer) throws {
    // As after downtime, when both Persistent= timers fire at boot.
    try c.shell("systemctl start --no-block prune.service backup.service")
    let limit = Date().addingTimeInterval(180)
    while Date() < limit {
      let states = try c.shell("systemctl show -P ActiveState backup.service prune.service")
      if !states.contains("activ")
        || states.split(separator: "\n").allSatisfy({ $0 != "activating" && $0 != "active" })
      {
        break
      }
      usleep(500_000)
    }
    #expect(try c.shell("systemctl show -P Result backup.service").trimmed == "success")
    #expect(try c.shell("systemctl show -P Result prune.service").trimmed == "success")
    let subjects = try settledMails(c, count: 2).compactMap { $0.headers["Subject"] }
    #expect(subjects.filter { $0.hasPrefix("💚 backup.service: snapshot ") }.count == 1)
    #expect(subjects.filter { $0.hasPrefix("💚 prune.service: success") }.count == 1)
    // Each job's start and finish, in that order.
    let pings = try server.requests().map { "\($0.check ?? "")/\($0.kind)" }
    #expect(
      pings.filter { $0.hasPrefix(backupCheck) } == [
        "\(backupCheck)/start", "\(backupCheck)/success",
      ])
    #expect(
      pings.filter { $0.hasPrefix(pruneCheck) } == ["\(pruneCheck)/start", "\(pruneCheck)/success"])
  }
}

extension String {
  var trimmed: String { trimmingCharacters(in: .whitespacesAndNewlines) }
}

/// How restic failed, for the exit status it then has.
enum ResticFailure { case wrongPassword, noRepository, locked, other }

extension SystemdContainer.Release {
  /// restic's exit status for a failure: 1 for all of them in Debian 12's
  /// restic 0.14; since 0.17 (Debian 13's 0.18) 10 when the repository does
  /// not exist, 11 when it cannot be locked, 12 for a wrong password.
  func resticStatus(_ failure: ResticFailure) -> Int {
    guard self != .bookworm else { return 1 }
    switch failure {
    case .noRepository: return 10
    case .locked: return 11
    case .wrongPassword: return 12
    case .other: return 1
    }
  }
}
