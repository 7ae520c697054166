import Foundation
import TestSupport
import Testing

/// The packages (built on Debian 12) on a fresh Debian 12 and a fresh
/// Debian 13 under a booted systemd: installed with apt as the README says
/// (on 13, libcurl4t64 provides the libcurl4 they depend on), a failing
/// unit with the packaged drop-in example mails its lines through the local
/// exim4, then purged without a trace.
/// The container has a network of its own, so its exim4 never meets the
/// other system tests' on the host's loopback.
@Suite(
  .enabled(
    if: PackageBuild.toolsPresent,
    "dpkg-buildpackage, debhelper or lintian missing: run scripts/setup"))
struct PackageInstallTests {
  @Test(arguments: SystemdContainer.Release.allCases)
  func installReportPurge(on release: SystemdContainer.Release) throws {
    let built = try PackageBuild.get()
    let c = try SystemdContainer(
      binary: nil, release: release, packages: SystemdContainer.packagesForInstall,
      privateNetwork: true)
    defer { c.stop() }
    let main = URL(fileURLWithPath: built.notifyUnit).lastPathComponent
    let restic = URL(fileURLWithPath: built.restic).lastPathComponent
    #expect(try c.shell("command -v notify-unit || echo none").trimmed == "none")
    try c.shell(
      "cd /src/dist && DEBIAN_FRONTEND=noninteractive apt-get install -y ./\(main) ./\(restic)",
      timeout: 300)

    try installedAsPackaged(c)
    try failingUnitIsMailed(c)
    try purgeLeavesNothing(c)
  }

  func installedAsPackaged(_ c: SystemdContainer) throws {
    #expect(try c.shell("notify-unit --version").trimmed.isEmpty == false)
    // Users and directories from sysusers.d and tmpfiles.d.
    try c.shell("id notify-unit && id restic")
    #expect(try c.shell("stat -c '%a %U' /var/lib/notify-unit").trimmed == "755 root")
    #expect(try c.shell("stat -c '%a %U' /var/lib/restic").trimmed == "750 restic")
    #expect(try c.shell("stat -c '%a %U %G' /etc/restic/password").trimmed == "640 root restic")
    #expect(try c.shell("stat -c '%a %G' /etc/restic/restic.env").trimmed == "640 restic")
    // A root run that left it 0750 is put right at the next boot.
    try c.shell("chmod 0750 /var/lib/notify-unit && systemd-tmpfiles --create notify-unit.conf")
    #expect(try c.shell("stat -c %a /var/lib/notify-unit").trimmed == "755")
    // Installing started no backup and enabled no timer.
    #expect(
      try c.shell("systemctl is-enabled backup.timer prune.timer || true").trimmed
        == "disabled\ndisabled")
    #expect(try c.shell("systemctl show -P InvocationID backup.service").trimmed.isEmpty)
    // The packaged units load as systemd reads them.
    let verify = try c.run([
      "systemd-analyze", "verify", "backup.service", "backup.timer", "prune.service",
      "prune.timer", "notify-failure@backup.service.service", "notify-unit-flush@restic.service",
      "notify-unit-flush@restic.timer",
    ])
    #expect(verify.status == 0, "\(verify.stderr)")
  }

  /// The README's drop-in, as the package ships it (/usr/bin), on a unit
  /// that fails: its lines arrive in a local mailbox through exim4.
  func failingUnitIsMailed(_ c: SystemdContainer) throws {
    try c.shell(
      """
      useradd --create-home admin && touch /var/mail/admin && chown admin:mail /var/mail/admin
      echo MAIL_TO=admin@localhost >> /etc/notify-unit.conf
      mkdir -p /etc/systemd/system/broken.service.d
      zcat -f /usr/share/doc/notify-unit/examples/notify-unit-stop-post.conf* \\
        > /etc/systemd/system/broken.service.d/notify-unit.conf
      cat > /etc/systemd/system/broken.service <<'UNIT'
      [Service]
      Type=oneshot
      ExecStart=/bin/sh -c 'echo copying the files; echo "disk on fire" >&2; sleep 1; exit 3'
      UNIT
      systemctl daemon-reload
      """)
    _ = try c.run(["systemctl", "start", "broken.service"], timeout: 120)
    let limit = Date().addingTimeInterval(60)
    var mbox = ""
    while Date() < limit {
      mbox = String(decoding: c.file("/var/mail/admin") ?? Data(), as: UTF8.self)
      if mbox.contains("disk on fire") { break }
      usleep(300_000)
    }
    #expect(mbox.contains("broken.service"), "\(mbox.prefix(3000))")
    #expect(mbox.contains("disk on fire") && mbox.contains("copying the files"))
    #expect(mbox.contains("X-Notify-Unit-Result: exit-code"))
    #expect(try c.shell("exim4 -bp").trimmed.isEmpty)
    // The packaged binary tells what it reported, and what became of it.
    let status = try c.shell("notify-unit status")
    #expect(status.contains("broken.service"), "\(status)")
    #expect(status.contains("mail: sent"), "\(status)")
    let json = try c.shell("notify-unit status --json")
    #expect(json.contains("\"broken.service\"") && json.contains("\"mail\":\"sent\""), "\(json)")
  }

  /// apt-get purge leaves no file of either package: what the admin added
  /// (the drop-in, the mailbox) is theirs; the system users stay, as
  /// debhelper's sysusers and Debian's practice leave them.
  func purgeLeavesNothing(_ c: SystemdContainer) throws {
    try c.shell(
      """
      rm -r /etc/systemd/system/broken.service /etc/systemd/system/broken.service.d
      DEBIAN_FRONTEND=noninteractive apt-get purge -y notify-unit-restic notify-unit
      """, timeout: 300)
    #expect(
      try c.shell("dpkg-query -W -f='${db:Status-Abbrev}\\n' notify-unit 2>/dev/null || true")
        .trimmed.isEmpty)
    let left = try c.shell(
      """
      find / \\( -path /proc -o -path /sys -o -path /dev -o -path /run -o -path /src \\
        -o -path /opt \\) -prune -o \\( -name '*notify-unit*' -o -name '*notify-failure*' \\
        -o -path /etc/restic -o -path /var/lib/restic -o -path /var/cache/restic \\
        -o -path '/usr/lib/notify-unit*' -o -name 'backup.timer' -o -name 'prune.timer' \\) -print
      """)
    #expect(left.trimmed.isEmpty, "left after purge:\n\(left)")
  }
}
