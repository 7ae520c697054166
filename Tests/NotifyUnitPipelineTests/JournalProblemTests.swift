import NotifyUnitPipeline
import Testing

/// Why a report found no journal: a user's rights, or for root (who reads
/// every file) no journal at all.
@Suite struct JournalProblemTests {
  @Test func rootIsToldThereIsNoJournalNotThatItLacksRights() {
    let root = JournalLogCollector.unreadableReason(uid: 0)
    #expect(!root.contains("neither root"), "\(root)")
    #expect(root.contains("/var/log/journal") && root.contains("systemd-journald"))
  }

  @Test func aUserIsToldWhichRightsAreMissing() {
    let nobody = JournalLogCollector.unreadableReason(uid: 65534)
    #expect(nobody.contains("(uid 65534)") && nobody.contains("systemd-journal group"))
  }
}
