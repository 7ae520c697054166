import Foundation
import TestSupport
import Testing

/// Every outcome of the README's table, produced by a real unit under a
/// booted systemd and checked on mail and ping; restic's real failures
/// named by their reason; a restic backup's success saying what it did; a
/// run cut by a power cut reported after the next boot. One container, the
/// scenarios in sequence, set up as SystemdSetupTests sets it up; on
/// Debian 12 and Debian 13, whose restic (0.14, 0.18) fails differently.
@Suite(.serialized) struct OutcomeSystemTests {
  let setup = SystemdSetupTests()
  var check: String { setup.backupCheck }

  @Test(arguments: SystemdContainer.Release.allCases)
  func outcomesUnderARealSystemd(on release: SystemdContainer.Release) throws {
    let server = try HealthchecksServer(checks: [setup.backupCheck, setup.pruneCheck])
    let c = try SystemdContainer(binary: Paths.notifyUnit, release: release)
    defer { c.stop() }
    try setup.install(c, server: server)
    let scenarios: [(String, (SystemdContainer, HealthchecksServer) throws -> Void)] = [
      ("restic success", resticSuccess), ("wrong password", wrongPassword),
      ("missing repository", missingRepository), ("lock held", lockHeld),
      ("unreadable files", unreadableFiles), ("damaged repository", damagedRepository),
      ("timeout", timeout), ("killed", killed), ("core dump", coreDump),
      ("start limit", startLimit), ("restarts given up", restartsGivenUp),
      ("exec-condition", execCondition),
      ("power cut", powerCut), ("power cut, sandboxed", powerCutSandboxed),
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

  /// The only mail of the scenario, and the scenario's pings.
  func oneMail(_ c: SystemdContainer, timeout: Double = 30) throws -> ParsedMessage {
    let mails = try setup.settledMails(c, count: 1, timeout: timeout)
    #expect(mails.count == 1, "\(mails.compactMap { $0.headers["Subject"] })")
    return try #require(mails.first)
  }

  func subject(_ mail: ParsedMessage) -> String { mail.headers["Subject"] ?? "" }

  /// A unit reported by notify-unit (ExecStopPost=) to the check.
  func reportedUnit(_ c: SystemdContainer, _ name: String, _ lines: String) throws {
    try setup.addUnit(
      c, name,
      """
      [Service]
      ExecStopPost=-/usr/local/bin/notify-unit %n \(check)
      \(lines)
      """)
  }

  // MARK: restic

  func resticSuccess(_ c: SystemdContainer, _ server: HealthchecksServer) throws {
    try c.shell("echo changed >> /srv/data/file1; head -c 300000 /dev/urandom > /srv/data/blob")
    try c.shell("systemctl start backup.service", timeout: 180)
    let mail = try oneMail(c)
    let host = try c.shell("hostname").trimmed
    // "💚 backup.service: snapshot 8c71d5e0, +293.123 KiB on HOST"
    let s = subject(mail)
    let pattern = #"^💚 backup\.service: snapshot [0-9a-f]{8}, \+[0-9]+(\.[0-9]{3} [KMG]iB| B) on "#
    #expect(s.range(of: pattern, options: .regularExpression) != nil, "\(s)")
    #expect(s.hasSuffix(" on \(host)"))
    print("restic success subject: \(s)")
    let id = try #require(s.split(separator: " ").dropFirst(3).first).prefix(8)
    #expect(mail.body.contains("Snapshot:      \(id)\n"))
    // The first snapshot: every file is new.
    #expect(mail.body.contains("\nFiles:         22 new, 0 changed, 0 unmodified\n"))
    #expect(mail.body.contains("\nAdded:         ") && mail.body.contains(" stored)\n"))
    #expect(mail.body.contains("\nProcessed:     "))
    // The snapshot restic saved is the one named.
    #expect(
      try c.shell(
        "runuser -u restic -- env RESTIC_REPOSITORY=/srv/restic-repo RESTIC_PASSWORD_FILE=/etc/restic/password restic snapshots --compact"
      ).contains(String(id)))
    let pings = try server.requests()
    #expect(pings.map(\.kind) == ["start", "success"])
    #expect(pings.last?.bodyText.hasPrefix(s + "\n") == true)
  }

  /// A failing restic run: its reason in the subject, the ping's first line
  /// and, through the job scripts' error priority, `journalctl -p err`.
  func failedRestic(
    _ c: SystemdContainer, _ server: HealthchecksServer, unit: String, reason: String,
    failure: ResticFailure, meaning: String? = nil
  ) throws {
    _ = try c.run(["systemctl", "start", unit], timeout: 180)
    let mail = try oneMail(c)
    let status = c.release.resticStatus(failure)
    // The subject shows a reason's first 100 characters (restic 0.18's
    // missing repository says more), the body all of it.
    #expect(subject(mail).hasPrefix("⛔ \(unit): \(reason.prefix(90))"), "\(subject(mail))")
    #expect(subject(mail).contains("(exit-code, status \(status)) on "), "\(subject(mail))")
    #expect(mail.body.contains("Reason:        \(reason)"))
    // restic 0.17+ says which failure by its status (Debian 13).
    if status != 1, let meaning {
      #expect(mail.body.contains("exited with status \(status) (restic: \(meaning))"))
    }
    let errors = try c.shell("journalctl -p err -u \(unit) -o cat --no-pager")
    #expect(errors.contains(reason), "\(errors.suffix(800))")
    let ping = try #require(try server.requests().last)
    #expect(ping.kind == "exit" && ping.exitStatus == status)
    #expect(ping.bodyText.hasPrefix(subject(mail) + "\n"))
  }

  func wrongPassword(_ c: SystemdContainer, _ server: HealthchecksServer) throws {
    try c.shell(
      "cp -p /etc/restic/password /etc/restic/password.good; echo wrong > /etc/restic/password")
    defer { _ = try? c.shell("mv /etc/restic/password.good /etc/restic/password") }
    try failedRestic(
      c, server, unit: "backup.service", reason: "Fatal: wrong password or no key found",
      failure: .wrongPassword, meaning: "wrong password")
  }

  func missingRepository(_ c: SystemdContainer, _ server: HealthchecksServer) throws {
    try c.shell(
      "cp -p /etc/restic/restic.env /etc/restic/env.good; echo RESTIC_REPOSITORY=/srv/no-repo >> /etc/restic/restic.env"
    )
    defer { _ = try? c.shell("mv /etc/restic/env.good /etc/restic/restic.env") }
    // restic 0.17+ says so first.
    let says = c.release == .bookworm ? "" : "repository does not exist: "
    try failedRestic(
      c, server, unit: "backup.service",
      reason:
        "Fatal: \(says)unable to open config file: stat /srv/no-repo/config: no such file or directory",
      failure: .noRepository, meaning: "the repository does not exist")
    // restic's hint after it is not the reason.
    #expect(!(try setup.mails(c).first?.headers["Subject"] ?? "").contains("Is there a repository"))
  }

  func lockHeld(_ c: SystemdContainer, _ server: HealthchecksServer) throws {
    // A backup from stdin that waits for its input holds restic's lock.
    try c.shell(
      """
      mkfifo /run/hold && chown restic /run/hold
      systemd-run --unit=holder --uid=restic -E RESTIC_REPOSITORY=/srv/restic-repo \\
        -E RESTIC_PASSWORD_FILE=/etc/restic/password -E RESTIC_CACHE_DIR=/var/cache/restic \\
        sh -c 'exec restic backup --stdin --stdin-filename held < /run/hold'
      systemd-run --unit=writer sh -c 'exec sleep 600 > /run/hold'
      for i in $(seq 1 100); do ls /srv/restic-repo/locks | grep -q . && exit 0; sleep 0.1; done
      echo no lock; exit 1
      """)
    // restic 0.14 removes its lock on SIGINT, not on the SIGTERM of a stop:
    // the holder's lock would fail the scenarios after this one.
    defer {
      _ = try? c.shell("systemctl stop writer holder; rm -f /run/hold /srv/restic-repo/locks/*")
    }
    // The prune job needs the repository to itself.
    _ = try c.run(["systemctl", "start", "prune.service"], timeout: 180)
    let mail = try oneMail(c)
    // Not restic 0.17+'s notice before it, "repo already locked, waiting
    // up to 0s for the lock".
    #expect(
      subject(mail).hasPrefix(
        "⛔ prune.service: unable to create lock in backend: repository is already locked by PID"),
      "\(subject(mail))")
    let status = c.release.resticStatus(.locked)
    #expect(subject(mail).contains("(exit-code, status \(status)) on "), "\(subject(mail))")
    let errors = try c.shell("journalctl -p err -u prune.service -o cat --no-pager")
    #expect(errors.contains("unable to create lock in backend"))
    let ping = try #require(try server.requests().last)
    #expect(ping.check == setup.pruneCheck && ping.kind == "exit" && ping.exitStatus == status)
  }

  /// Exit 3 (SuccessExitStatus=3): a warning, named by restic's meaning.
  func unreadableFiles(_ c: SystemdContainer, _ server: HealthchecksServer) throws {
    // Without its capability, restic cannot read the root-only file (changed,
    // so that restic reads it again rather than take it from the parent).
    try c.shell(
      """
      echo changed >> /srv/data/root-only
      mkdir -p /etc/systemd/system/backup.service.d
      printf '[Service]\\nAmbientCapabilities=\\n' > /etc/systemd/system/backup.service.d/nocap.conf
      systemctl daemon-reload
      """)
    defer {
      _ = try? c.shell("rm -r /etc/systemd/system/backup.service.d; systemctl daemon-reload")
    }
    try c.shell("systemctl start backup.service", timeout: 180)
    #expect(try c.shell("systemctl show -P Result backup.service").trimmed == "success")
    let mail = try oneMail(c)
    #expect(
      subject(mail).hasPrefix(
        "⚠️ backup.service: some source files could not be read (warning, status 3) on "),
      "\(subject(mail))")
    #expect(
      mail.body.contains(
        "Main process:  exited with status 3 (restic: some source files could not be read)"))
    #expect(!mail.body.contains("NOTIMPLEMENTED"))
    #expect(mail.body.contains("root-only: permission denied"))
    let errors = try c.shell("journalctl -p err -u backup.service -o cat --no-pager")
    #expect(errors.contains("root-only: permission denied"))
    // Pinged as a success, the warning in the body.
    let ping = try #require(try server.requests().last)
    #expect(ping.kind == "success")
    #expect(ping.bodyText.hasPrefix(subject(mail) + "\n"))
  }

  func damagedRepository(_ c: SystemdContainer, _ server: HealthchecksServer) throws {
    // A copy of the repository with one data pack damaged, checked by the
    // job scripts' own step.
    try c.shell(
      """
      cp -a /srv/restic-repo /srv/damaged-repo
      pack=$(find /srv/damaged-repo/data -type f -size +10k | head -n 1)
      [ -n "$pack" ] || pack=$(find /srv/damaged-repo/data -type f | head -n 1)
      printf 'damaged!' | dd of="$pack" bs=1 seek=200 conv=notrunc status=none
      """)
    defer { _ = try? c.shell("rm -rf /srv/damaged-repo") }
    try setup.addUnit(
      c, "repocheck.service",
      """
      [Service]
      Type=oneshot
      User=restic
      SupplementaryGroups=systemd-journal
      EnvironmentFile=/etc/restic/restic.env
      ExecStart=/bin/bash -c 'RESTIC_REPOSITORY=/srv/damaged-repo; . /usr/local/lib/notify-unit/restic-job.sh; step check "$$restic" check --read-data'
      ExecStopPost=-/usr/local/bin/notify-unit %n \(check)
      """)
    try failedRestic(
      c, server, unit: "repocheck.service", reason: "Fatal: repository contains errors",
      failure: .other)
  }

  // MARK: systemd's outcomes

  func timeout(_ c: SystemdContainer, _ server: HealthchecksServer) throws {
    try reportedUnit(
      c, "slow.service",
      "Type=oneshot\nTimeoutStartSec=2\nExecStart=/bin/sh -c 'echo waiting; exec sleep 60'")
    _ = try c.run(["systemctl", "start", "slow.service"], timeout: 60)
    let mail = try oneMail(c)
    #expect(subject(mail).hasPrefix("⛔ slow.service: timeout on "), "\(subject(mail))")
    #expect(try server.requests().map(\.kind) == ["fail"])
  }

  func killed(_ c: SystemdContainer, _ server: HealthchecksServer) throws {
    try reportedUnit(
      c, "killed.service", "Type=oneshot\nExecStart=/bin/sh -c 'echo working; kill -KILL $$$$'")
    _ = try c.run(["systemctl", "start", "killed.service"])
    let mail = try oneMail(c)
    #expect(subject(mail).hasPrefix("⛔ killed.service: signal on "), "\(subject(mail))")
    #expect(mail.body.contains("killed by signal KILL"))
    #expect(try server.requests().map(\.kind) == ["fail"])
  }

  func coreDump(_ c: SystemdContainer, _ server: HealthchecksServer) throws {
    try reportedUnit(
      c, "dumps.service",
      """
      Type=oneshot
      LimitCORE=infinity
      WorkingDirectory=/tmp
      PrivateTmp=yes
      ExecStart=/bin/sh -c 'echo about to crash; kill -ABRT $$$$'
      """)
    _ = try c.run(["systemctl", "start", "dumps.service"])
    let mail = try oneMail(c)
    #expect(subject(mail).hasPrefix("⛔ dumps.service: core-dump on "), "\(subject(mail))")
    #expect(mail.body.contains("dumped core on signal ABRT"))
    #expect(try server.requests().map(\.kind) == ["fail"])
  }

  /// The failure handler of `unit` reports to the check too, as a drop-in
  /// on its instance gives it one.
  func handlerWithCheck(_ c: SystemdContainer, _ unit: String) throws {
    let dir = "/etc/systemd/system/notify-failure@\(unit).service.d"
    try c.shell(
      """
      mkdir -p \(dir)
      printf '[Service]\\nExecStart=\\nExecStart=/usr/local/bin/notify-unit --on-failure %%i \(check)\\n' > \(dir)/check.conf
      systemctl daemon-reload
      """)
  }

  /// Two runs, then a start refused by the start limit: the OnFailure=
  /// handler reports the refusal, once, by mail and to its check.
  func startLimit(_ c: SystemdContainer, _ server: HealthchecksServer) throws {
    try setup.addUnit(
      c, "limited.service",
      """
      [Unit]
      StartLimitIntervalSec=300
      StartLimitBurst=2
      OnFailure=notify-failure@%n.service
      [Service]
      Type=oneshot
      ExecStart=/bin/echo ran
      ExecStopPost=-/usr/local/bin/notify-unit %n \(check)
      """)
    // systemd forgets a unit's starts when it unloads it, and it unloads an
    // inactive unit nothing refers to after each run (systemd.unit(5),
    // StartLimitIntervalSec=; systemd issue 7139): without this timer, the
    // three starts all ran on 252 and 257. A timer keeps its service loaded,
    // as backup.timer keeps backup.service.
    try setup.addUnit(c, "limited.timer", "[Timer]\nOnCalendar=2099-01-01")
    try c.shell("systemctl start limited.timer")
    try handlerWithCheck(c, "limited.service")
    for _ in 0..<3 { _ = try c.run(["systemctl", "start", "limited.service"]) }
    #expect(try c.shell("systemctl show -P Result limited.service").trimmed == "start-limit-hit")
    let mails = try setup.settledMails(c, count: 3)
    let subjects = mails.compactMap { $0.headers["Subject"] }
    #expect(subjects.filter { $0.hasPrefix("💚 limited.service: success on ") }.count == 2)
    let refused = subjects.filter {
      $0.hasPrefix("⛔ limited.service: systemd refused to start the unit (start limit) on ")
    }
    #expect(refused.count == 1 && subjects.count == 3, "\(subjects)")
    // Refused again while failed: systemd starts no handler, nothing is sent.
    _ = try c.run(["systemctl", "start", "limited.service"])
    #expect(try setup.settledMails(c, count: 4, timeout: 3).count == 3)
    // The runs, then the handler: the refusal is no exit of the job.
    let pings = try server.requests()
    #expect(pings.map(\.kind) == ["success", "success", "fail"])
    #expect(pings.last?.bodyText.hasPrefix((refused.first ?? "-") + "\n") == true)
  }

  /// A Restart=on-failure job that keeps failing: each run reported by its
  /// ExecStopPost=, then systemd's refusal of the next restart by the
  /// handler, once (systemd 257 starts the handler on every failed run,
  /// 252 once it gave up; the unit's Result stays exit-code on both).
  func restartsGivenUp(_ c: SystemdContainer, _ server: HealthchecksServer) throws {
    try setup.addUnit(
      c, "retried.service",
      """
      [Unit]
      StartLimitIntervalSec=300
      StartLimitBurst=3
      OnFailure=notify-failure@%n.service
      [Service]
      Type=oneshot
      Restart=on-failure
      ExecStart=/bin/sh -c 'echo "Error: the server did not answer" >&2; exit 2'
      ExecStopPost=-/usr/local/bin/notify-unit %n \(check)
      """)
    try handlerWithCheck(c, "retried.service")
    _ = try c.run(["systemctl", "start", "retried.service"])
    let mails = try setup.settledMails(c, count: 4, timeout: 60)
    #expect(try c.shell("systemctl show -P Result retried.service").trimmed == "exit-code")
    #expect(try c.shell("systemctl show -P NRestarts retried.service").trimmed == "3")
    let subjects = mails.compactMap { $0.headers["Subject"] }
    let runs = subjects.filter {
      $0.hasPrefix("⛔ retried.service: Error: the server did not answer (exit-code, status 2) on ")
    }
    let refused = subjects.filter {
      $0.hasPrefix(
        "⛔ retried.service: systemd stopped retrying the unit after 3 runs (start limit) on ")
    }
    #expect(runs.count == 3 && refused.count == 1 && subjects.count == 4, "\(subjects)")
    let pings = try server.requests()
    #expect(pings.map(\.kind) == ["exit", "exit", "exit", "fail"])
    #expect(pings.prefix(3).allSatisfy { $0.exitStatus == 2 })
    #expect(pings.last?.bodyText.hasPrefix((refused.first ?? "-") + "\n") == true)
    // The refusal's invocation is the last run's: one rid.
    let id = try setup.invocation(c, "retried.service")
    #expect(pings.suffix(2).allSatisfy { $0.rid == setup.rid(id) })
  }

  /// Skipped: pinged on /log, not mailed under MAIL_ON=change.
  func execCondition(_ c: SystemdContainer, _ server: HealthchecksServer) throws {
    try c.shell("sed -i 's/^MAIL_ON=.*/MAIL_ON=change/' /etc/notify-unit.conf")
    defer { _ = try? c.shell("sed -i 's/^MAIL_ON=.*/MAIL_ON=always/' /etc/notify-unit.conf") }
    try reportedUnit(
      c, "conditional.service",
      "Type=oneshot\nExecCondition=/bin/sh -c 'echo nothing to do; exit 1'\nExecStart=/bin/echo ran"
    )
    _ = try c.run(["systemctl", "start", "conditional.service"])
    let limit = Date().addingTimeInterval(30)
    while Date() < limit, try server.requests().isEmpty { usleep(200_000) }
    let pings = try server.requests()
    #expect(pings.map(\.kind) == ["log"])
    #expect(
      pings.first?.bodyText.hasPrefix("⏭️ conditional.service: skipped (ExecCondition=) on ") == true
    )
    #expect(try setup.mails(c).isEmpty)
  }

  /// A run cut by a power cut: reported after the next boot, once, as
  /// interrupted, by the boot-time flush (notify-unit-boot.service).
  func powerCut(_ c: SystemdContainer, _ server: HealthchecksServer) throws {
    try setup.addUnit(
      c, "cut.service",
      """
      [Service]
      ExecStartPre=-/usr/local/bin/notify-unit start %n \(check)
      ExecStart=/bin/sh -c 'echo working; exec sleep 600'
      ExecStopPost=-/usr/local/bin/notify-unit %n \(check)
      """)
    try c.shell("systemctl start cut.service")
    let id = try setup.invocation(c, "cut.service")
    // Its start is recorded; nothing is reported while it runs.
    let limit = Date().addingTimeInterval(30)
    while Date() < limit, try server.requests().isEmpty { usleep(100_000) }
    #expect(try server.requests().map(\.kind) == ["start"])
    #expect(try c.shell("ls /var/lib/notify-unit").contains("cut_2eservice@\(id).started"))
    let bootBefore = try c.shell("cat /proc/sys/kernel/random/boot_id").trimmed
    try server.reset()
    try c.cutPowerAndBoot()
    #expect(try c.shell("cat /proc/sys/kernel/random/boot_id").trimmed != bootBefore)
    let mail = try oneMail(c, timeout: 90)
    #expect(
      subject(mail).hasPrefix(
        "⛔ cut.service: the machine stopped during the run (interrupted) on "),
      "\(subject(mail))")
    #expect(mail.body.contains("Outcome:       interrupted"))
    #expect(mail.body.contains("Invocation:    \(id)"))
    let pings = try server.requests()
    #expect(pings.map(\.kind) == ["fail"])
    #expect(pings.first?.rid == setup.rid(id))
    // Reported once: the start is gone, and another flush reports nothing.
    #expect(!(try c.shell("ls /var/lib/notify-unit")).contains(".started"))
    try c.shell("/usr/local/bin/notify-unit flush")
    #expect(try setup.settledMails(c, count: 2, timeout: 3).count == 1)
    #expect(try server.requests().count == 1)
  }

  /// A run of a User= unit sandboxed like notify-failure@ (ProcSubset=pid
  /// hides the kernel's boot ID from it) cut by a power cut: its start is
  /// recorded with the boot the journal names, and after the next boot
  /// that user's flush (notify-unit-flush@restic.service, ProcSubset=pid
  /// too) reports it, once, as interrupted.
  func powerCutSandboxed(_ c: SystemdContainer, _ server: HealthchecksServer) throws {
    try setup.addUnit(
      c, "sandboxed.service",
      """
      [Service]
      User=restic
      SupplementaryGroups=systemd-journal
      StateDirectory=notify-unit/restic
      ProtectSystem=strict
      ProtectProc=invisible
      ProcSubset=pid
      ExecStartPre=-/usr/local/bin/notify-unit start %n \(check)
      ExecStart=/bin/sh -c 'echo working; exec sleep 600'
      ExecStopPost=-/usr/local/bin/notify-unit %n \(check)
      """)
    try c.shell("systemctl start sandboxed.service")
    let id = try setup.invocation(c, "sandboxed.service")
    let limit = Date().addingTimeInterval(30)
    while Date() < limit, try server.requests().isEmpty { usleep(100_000) }
    #expect(try server.requests().map(\.kind) == ["start"])
    // The boot the start names is the kernel's, though the unit cannot read it.
    let boot = try c.shell("tr -d '-' < /proc/sys/kernel/random/boot_id").trimmed
    let started = "/var/lib/notify-unit/restic/sandboxed_2eservice@\(id).started"
    #expect(try c.shell("cat \(started)").contains("\nboot=\(boot)\n"))
    try server.reset()
    try c.cutPowerAndBoot()
    let mail = try oneMail(c, timeout: 90)
    #expect(
      subject(mail).hasPrefix(
        "⛔ sandboxed.service: the machine stopped during the run (interrupted) on "),
      "\(subject(mail))")
    #expect(mail.body.contains("Invocation:    \(id)"))
    // The flush reads the journal: the run's log is in the report.
    #expect(mail.body.contains("working"))
    let pings = try server.requests()
    #expect(pings.map(\.kind) == ["fail"])
    #expect(pings.first?.rid == setup.rid(id))
    #expect(!(try c.shell("ls /var/lib/notify-unit/restic")).contains(".started"))
    #expect(
      try c.shell("systemctl show -P Result notify-unit-flush@restic.service").trimmed == "success")
  }
}
