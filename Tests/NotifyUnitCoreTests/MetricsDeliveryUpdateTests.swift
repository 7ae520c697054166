import NotifyUnitCore
import Testing

@Suite struct MetricsDeliveryUpdateTests {
  let text = """
    notify_unit_last_run_success{unit="a.service"} 0
    notify_unit_last_delivery_failed{unit="a.service",channel="mail"} 1
    notify_unit_last_delivery_failed{unit="a.service",channel="ping"} 1
    notify_unit_spool_entries{unit="a.service",channel="mail"} 2
    notify_unit_spool_entries{unit="a.service",channel="ping"} 1

    """

  @Test func countsAndClearsOnlyWhatTheFlushDid() throws {
    let updated = try #require(
      MetricsDeliveryUpdate.apply(
        to: text, spooled: ["mail": 1], lastReportDelivered: ["ping"]))
    #expect(
      updated == """
        notify_unit_last_run_success{unit="a.service"} 0
        notify_unit_last_delivery_failed{unit="a.service",channel="mail"} 1
        notify_unit_last_delivery_failed{unit="a.service",channel="ping"} 0
        notify_unit_spool_entries{unit="a.service",channel="mail"} 1
        notify_unit_spool_entries{unit="a.service",channel="ping"} 0

        """)
  }

  @Test func nothingChangedIsNil() {
    #expect(
      MetricsDeliveryUpdate.apply(
        to: text, spooled: ["mail": 2, "ping": 1], lastReportDelivered: []) == nil)
  }

  @Test func anEscapedUnitNameIsNoChannel() {
    let tricky = #"notify_unit_spool_entries{unit="x,channel=\"mail\"",channel="ping"} 3"#
    #expect(
      MetricsDeliveryUpdate.apply(to: tricky, spooled: ["ping": 1], lastReportDelivered: [])
        == #"notify_unit_spool_entries{unit="x,channel=\"mail\"",channel="ping"} 1"#)
  }
}
