import Foundation
import TestSupport
import Testing

/// `notify-unit doctor UNIT...` under a real, booted systemd: the units'
/// wiring is read over D-Bus (sd-bus), one unit wired as the README says
/// and one wired wrong in every way doctor checks.
@Suite(.serialized) struct DoctorSystemdTests {
  let check = SecretLedger.newCheck()

  @Test(arguments: SystemdContainer.Release.allCases)
  func unitWiringIsReadFromSystemdOverDBus(on release: SystemdContainer.Release) throws {
    let server = try HealthchecksServer(checks: [check])
    let c = try SystemdContainer(binary: Paths.notifyUnit, release: release)
    defer { c.stop() }
    try c.shell(
      """
      useradd --system worker
      install -d -m 0755 /etc/notify-unit
      printf 'HC_CHECK=%s\\n' '\(check)' > /etc/notify-unit/good.env
      chmod 0600 /etc/notify-unit/good.env
      printf 'MAIL_TO=root@localhost\\nHC_URL=%s/ping\\n' '\(server.baseURL)' > /etc/notify-unit.conf
      cat > /etc/systemd/system/good.service <<'UNIT'
      [Unit]
      OnFailure=notify-failure@%n.service
      [Service]
      Type=oneshot
      User=worker
      SupplementaryGroups=systemd-journal
      EnvironmentFile=-/etc/notify-unit/good.env
      LogRateLimitBurst=1000000
      ExecStart=/bin/true
      ExecStopPost=-/usr/local/bin/notify-unit %n env:HC_CHECK
      UNIT
      cat > /etc/systemd/system/bad.service <<'UNIT'
      [Service]
      Type=oneshot
      User=worker
      ExecStart=/bin/true
      ExecStopPost=/usr/local/bin/notify-unit %n env:HC_MISSING
      UNIT
      cat > /etc/systemd/system/gone.service <<'UNIT'
      [Unit]
      OnFailure=notify-failure@%n.service
      [Service]
      Type=oneshot
      Environment=HC_CHECK=
      LogRateLimitBurst=1000000
      ExecStart=/bin/true
      ExecStopPost=-/opt/gone/notify-unit %n env:HC_CHECK
      UNIT
      systemctl daemon-reload
      """)

    let good = try c.run(["/usr/local/bin/notify-unit", "doctor", "good.service"])
    let goodLines = good.stdoutText.split(separator: "\n").map(String.init)
    #expect(good.status == 0, "\(good.stdoutText)\(good.stderr)")
    #expect(goodLines.dropLast().allSatisfy { $0.hasPrefix("✓ ") }, "\(goodLines)")
    #expect(
      goodLines.contains(
        "✓ good.service: ExecStopPost=: -/usr/local/bin/notify-unit reports every run"))
    #expect(goodLines.contains("✓ good.service: OnFailure=: notify-failure@good.service.service"))
    #expect(
      goodLines.contains("✓ good.service: journal: worker reads it as a member of systemd-journal"))
    #expect(
      goodLines.contains("✓ good.service: check: pings \(server.baseURL)/ping/\(check.prefix(4))…"))

    let both = try c.run(["/usr/local/bin/notify-unit", "doctor", "good.service", "bad.service"])
    let lines = both.stdoutText.split(separator: "\n").map(String.init)
    #expect(both.status == 1, "\(both.stdoutText)\(both.stderr)")
    let bad = lines.filter { $0.hasPrefix("✗ ") }
    #expect(bad.count == 3, "\(lines)")
    #expect(
      bad.contains {
        $0.hasPrefix(
          "✗ bad.service: ExecStopPost=: /usr/local/bin/notify-unit runs without the \"-\" prefix")
      })
    #expect(bad.contains { $0.hasPrefix("✗ bad.service: OnFailure=: no handler") })
    #expect(
      bad.contains {
        $0.hasPrefix("✗ bad.service: journal: User=worker cannot read the system journal")
          && $0.hasSuffix(
            "fix: add [Service] SupplementaryGroups=systemd-journal in /etc/systemd/system/bad.service.d/notify-unit.conf"
          )
      })
    // Unset: mailed, not pinged, with a warning; it fails nothing.
    #expect(
      lines.contains { $0.hasPrefix("⚠ bad.service: check: env:HC_MISSING: HC_MISSING is not set") }
    )

    // A notify-unit that is not there (systemd loads the unit all the
    // same), and an empty check (mail only), which passes.
    let gone = try c.run(["/usr/local/bin/notify-unit", "doctor", "gone.service"])
    let goneLines = gone.stdoutText.split(separator: "\n").map(String.init)
    #expect(gone.status == 1, "\(gone.stdoutText)\(gone.stderr)")
    #expect(goneLines.filter { $0.hasPrefix("✗ ") }.count == 1, "\(goneLines)")
    #expect(
      goneLines.contains {
        $0.hasPrefix(
          "✗ gone.service: ExecStopPost=: /opt/gone/notify-unit is not an executable file")
          && $0.contains(
            "fix: write ExecStopPost=-/usr/local/bin/notify-unit gone.service env:HC_CHECK")
      }, "\(goneLines)")
    #expect(
      goneLines.contains(
        "✓ gone.service: check: env:HC_CHECK: HC_CHECK is empty: runs are mailed, not pinged"))
    let unknown = try c.run(["/usr/local/bin/notify-unit", "doctor", "nosuch.service"])
    #expect(unknown.status == 1)
    #expect(unknown.stdoutText.contains("✗ nosuch.service: systemd knows no such unit"))
    for output in [good.stdoutText, both.stdoutText, good.stderr, both.stderr] {
      #expect(!output.contains(check))
    }
    // doctor sent no ping: only the base URL was fetched.
    #expect(try server.requests().allSatisfy { $0.kind == "-" })
  }
}
