import NotifyUnitCore
import Testing

/// A spooled request is read back only as notify-unit writes one: its
/// channel's name (shown by status and flush) is one of notify-unit's own.
@Suite struct SpooledRequestTests {
  @Test func roundTripsAndRefusesAChannelItDoesNotWrite() {
    var request = SpooledRequest(
      channel: "ntfy", target: "https://ntfy.example.org/t", body: Array("hi\n".utf8))
    request.contentType = "text/plain"
    let back = SpooledRequest.decode(request.encoded())
    #expect(back?.channel == "ntfy" && back?.target == request.target && back?.body == request.body)
    for channel in ["\u{1B}]0;owned\u{07}", "mail", "", "ntfy\u{1B}[2J"] {
      let forged = SpooledRequest(channel: channel, target: request.target, body: [])
      #expect(SpooledRequest.decode(forged.encoded()) == nil, "\(channel.debugDescription)")
    }
  }
}
