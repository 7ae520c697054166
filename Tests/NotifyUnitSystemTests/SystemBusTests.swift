import NotifyUnitSystem
import Testing

@Suite struct SystemBusPathTests {
  @Test func unitPathsAreEscapedAsSystemdDoes() {
    #expect(
      SystemBus.unitPath("backup.service") == "/org/freedesktop/systemd1/unit/backup_2eservice")
    #expect(
      SystemBus.unitPath("notify-failure@backup.service.service")
        == "/org/freedesktop/systemd1/unit/notify_2dfailure_40backup_2eservice_2eservice")
  }
}
