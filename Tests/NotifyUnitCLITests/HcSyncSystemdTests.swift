import Foundation
import TestSupport
import Testing

/// `notify-unit hc-sync` under a real, booted systemd: the shipped
/// backup.timer read over D-Bus (sd-bus) becomes the check's schedule in
/// the loopback peer's Management API; a timer with only monotonic
/// triggers is refused.
@Suite(.serialized) struct HcSyncSystemdTests {
  let check = SecretLedger.newCheck()
  let key = SecretLedger.secret("rw" + UUID().uuidString.replacingOccurrences(of: "-", with: ""))

  @Test(arguments: SystemdContainer.Release.allCases)
  func theShippedBackupTimerBecomesTheChecksSchedule(on release: SystemdContainer.Release) throws {
    let server = try HealthchecksServer(checks: [check], apiKey: key)
    let timer = try String(
      contentsOf: Paths.packageRoot.appendingPathComponent("units/backup.timer"), encoding: .utf8)
    let c = try SystemdContainer(binary: Paths.notifyUnit, release: release)
    defer { c.stop() }
    try c.shell(
      """
      printf 'HC_URL=%s/ping\\nHC_API_KEY_FILE=/etc/notify-unit/api-key\\n' '\(server.baseURL)' > /etc/notify-unit.conf
      install -d -m 0755 /etc/notify-unit
      printf '%s\\n' '\(key)' > /etc/notify-unit/api-key
      chmod 0600 /etc/notify-unit/api-key
      echo Europe/Berlin > /etc/timezone
      cat > /etc/systemd/system/backup.timer <<'UNIT'
      \(timer)
      UNIT
      printf '[Service]\\nType=oneshot\\nExecStart=/bin/true\\n' > /etc/systemd/system/backup.service
      printf '[Timer]\\nOnBootSec=5min\\nOnUnitActiveSec=1d\\n' > /etc/systemd/system/boot.timer
      printf '[Service]\\nType=oneshot\\nExecStart=/bin/true\\n' > /etc/systemd/system/boot.service
      systemctl daemon-reload
      """)
    let dry = try c.run(
      ["/usr/local/bin/notify-unit", "hc-sync", "--dry-run", "backup.service", check])
    print("hc-sync --dry-run backup.service:\n\(dry.stdoutText)\(dry.stderr)")
    #expect(dry.status == 0, "\(dry.stdoutText)\(dry.stderr)")
    #expect(dry.stdoutText.contains("backup.timer: OnCalendar=*-*-* 00,13:00:00"))
    #expect(dry.stdoutText.contains("  schedule: *-*-* 00,13:00:00\n"))
    #expect(dry.stdoutText.contains("  tz:       Europe/Berlin\n"))
    #expect(dry.stdoutText.contains("  grace:    300 s"))
    #expect(try server.requests().isEmpty)

    let real = try c.run(["/usr/local/bin/notify-unit", "hc-sync", "backup.service", check])
    #expect(real.status == 0, "\(real.stdoutText)\(real.stderr)")
    let shown = try server.check(check, apiKey: key)
    #expect(shown["schedule"] as? String == "*-*-* 00,13:00:00")
    #expect(shown["tz"] as? String == "Europe/Berlin")
    #expect(shown["grace"] as? Int == 300)

    let boot = try c.run(["/usr/local/bin/notify-unit", "hc-sync", "boot.service", check])
    #expect(boot.status == 69)
    #expect(boot.stderr.contains("boot.timer has only monotonic triggers ("))
    #expect(boot.stderr.contains("OnBootSec=") && boot.stderr.contains("OnUnitActiveSec="))
    #expect(boot.stderr.split(separator: "\n").count == 1)
    for output in [dry.stdoutText, dry.stderr, real.stdoutText, real.stderr, boot.stderr] {
      #expect(!output.contains(check) && !output.contains(key))
    }
  }
}
