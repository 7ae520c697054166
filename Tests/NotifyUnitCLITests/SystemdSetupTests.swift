import Foundation
import TestSupport
import Testing

/// The whole backup setup under a real, booted systemd: installed as the
/// README says (scripts/install-backup), with a real restic repository, exim4
/// delivering to a local mailbox, and the loopback Healthchecks peer on the
/// host. Asserts what really arrived.
@Suite(.serialized) struct SystemdSetupTests {
  static let backupCheck = UUID().uuidString.lowercased()
  static let pruneCheck = UUID().uuidString.lowercased()

  /// One container for the whole suite's story; removed at the end even when
  /// a check fails.
  @Test func backupSetupEndToEnd() throws {
    let server = try HealthchecksServer(checks: [Self.backupCheck, Self.pruneCheck])
    let container = try SystemdContainer(binary: Paths.notifyUnit)
    defer { container.stop() }
    try install(container, server: server)

    // Enabling the timers started no job (no Requires= in the timers).
    #expect(try container.shell("systemctl show -P InvocationID backup.service").trimmed.isEmpty)
    let timers = try container.shell("systemctl list-timers --all --no-pager")
    #expect(timers.contains("backup.timer") && timers.contains("prune.timer"))

    try successfulBackup(container, server: server)
  }

  func install(_ c: SystemdContainer, server: HealthchecksServer) throws {
    try c.shell("cd /src && scripts/install-backup", timeout: 120)
    try c.shell(
      """
      useradd --create-home admin
      printf 'MAIL_TO=admin@localhost\\nHC_URL=%s/ping\\n' '\(server.baseURL)' > /etc/notify-unit.conf
      sed -i -e 's|^HC_BACKUP=.*|HC_BACKUP=\(Self.backupCheck)|' -e 's|^HC_PRUNE=.*|HC_PRUNE=\(Self.pruneCheck)|' \
        -e 's|^RESTIC_INCLUDES=.*|RESTIC_INCLUDES=/etc/restic/includes|' /etc/restic/restic.env
      echo /srv/data > /etc/restic/includes
      mkdir -p /srv/data /srv/restic-repo && chown restic:restic /srv/restic-repo
      for i in $(seq 1 20); do echo "file $i" > /srv/data/file$i; done
      echo secret > /srv/data/root-only && chmod 0600 /srv/data/root-only
      runuser -u restic -- env RESTIC_REPOSITORY=/srv/restic-repo \
        RESTIC_PASSWORD_FILE=/etc/restic/password restic init
      """)
  }

  /// The mails in the admin's mailbox, parsed.
  func mails(_ c: SystemdContainer) throws -> [ParsedMessage] {
    guard let data = c.file("/var/mail/admin") else { return [] }
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("mbox-\(UUID())")
    try data.write(to: path)
    defer { try? FileManager.default.removeItem(at: path) }
    return try mboxMessages(path.path).map(ParsedMessage.parse)
  }

  /// Waits until the mailbox holds `count` mails (or `timeout` passes).
  func waitForMails(_ c: SystemdContainer, count: Int, timeout: Double = 20) throws
    -> [ParsedMessage]
  {
    let limit = Date().addingTimeInterval(timeout)
    var found: [ParsedMessage] = []
    while Date() < limit {
      found = try mails(c)
      if found.count >= count { break }
      usleep(200_000)
    }
    return found
  }

  func successfulBackup(_ c: SystemdContainer, server: HealthchecksServer) throws {
    let started = Date()
    try c.shell("systemctl start backup.service", timeout: 180)
    let invocation = try c.shell("systemctl show -P InvocationID backup.service").trimmed
    _ = try waitForMails(c, count: 1)
    // Delivered before the unit stopped: nothing left in exim's queue, and
    // no second copy arriving later.
    let queue = try c.shell("exim4 -bp")
    sleep(2)
    let mails = try self.mails(c)
    #expect(mails.count == 1)
    let mail = try #require(mails.first)
    #expect(mail.headers["Subject"]?.hasPrefix("💚 backup.service: success on ") == true)
    #expect(mail.body.contains("==> backup started"))
    #expect(mail.body.contains("snapshot ") && mail.body.contains(" saved"))
    #expect(mail.body.contains("==> diff took"))
    #expect(mail.body.contains("Status (from systemd):"))
    #expect(Date().timeIntervalSince(started) < 120)
    let eximLog = try c.shell("tail -n 20 /var/log/exim4/mainlog")
    #expect(queue.trimmed.isEmpty, "mail left in exim's queue: \(queue) \(eximLog)")
    let pings = try server.requests().filter { $0.check == Self.backupCheck }
    #expect(pings.map(\.kind) == ["success"])
    #expect(pings.first?.rid?.replacingOccurrences(of: "-", with: "") == invocation)
    #expect(pings.first?.bodyText.contains("==> diff took") == true)
  }
}

extension String {
  var trimmed: String { trimmingCharacters(in: .whitespacesAndNewlines) }
}
