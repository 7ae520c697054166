import NotifyUnitCore
import PropertyBased
import Testing

@testable import MailInvariants

/// The checker's own rules on worked examples from the documentation, not
/// from the production code: when a check fails, these say which side is
/// wrong.
@Suite struct OracleRuleTests {
  @Test func displayRule() {
    // A leading mark on a dotted circle; ESC and NEL as U+FFFD; "…" for
    // what is cut.
    #expect(DisplayRule.shown("\u{301}x\u{1B}yz", maxLength: 4) == "\u{25CC}\u{301}x\u{FFFD}y…")
    #expect(DisplayRule.shown("a\u{85}\u{7F}\t", maxLength: 256) == "a\u{FFFD}\u{FFFD}\u{FFFD}")
    #expect(DisplayRule.shown("é💾", maxLength: 2) == "é💾")
    #expect(DisplayRule.shown("", maxLength: 5) == "")
    #expect(DisplayRule.shown("\u{301}", maxLength: 0) == "…")
  }

  @Test func tokenRule() {
    // "é" is two bytes: two "_".
    #expect(TokenRule.token("backup@nas/x é", maxLength: 64) == "backup@nas_x___")
    #expect(TokenRule.token("a.b-c_d", maxLength: 3) == "a.b")
  }

  @Test func logLinePrefix() {
    func line(_ usec: UInt64, _ priority: UInt8?, _ identifier: String, _ pid: String) -> String {
      let record = LogRecord(
        realtime: usec, priority: priority, identifier: Array(identifier.utf8),
        pid: Array(pid.utf8), message: Array("m".utf8))
      return String(decoding: LogLineRule.exactLine(record), as: UTF8.self)
    }
    #expect(
      line(1_795_000_000_000_042, 3, "restic", "4242")
        == "2026-11-18T11:06:40.000042+00:00 err restic[4242]: m\n")
    #expect(line(951_782_400_000_000, nil, "", "") == "2000-02-29T00:00:00.000000+00:00 - -: m\n")
    #expect(line(0, 7, "a b\u{1B}", "1") == "1970-01-01T00:00:00.000000+00:00 debug a?b?[1]: m\n")
    #expect(
      line(4_102_444_799_999_999, 6, "x", "") == "2099-12-31T23:59:59.999999+00:00 info x: m\n")
    #expect(
      line(0, 0, String(repeating: "i", count: 70), "")
        == "1970-01-01T00:00:00.000000+00:00 emerg \(String(repeating: "i", count: 64)): m\n")
  }

  /// The core's trim (by UTF-8 bytes) cuts where the checker's, scalar by
  /// scalar, does.
  @Test func trimmingAgreesWithTheScalarRule() async {
    let padded = zip(Gen.element(of: ["", " ", "\r\n", "\t \n", "\r"]).map { $0 ?? "" }, anyText)
      .map { (pick: (String, String)) -> String in pick.0 + pick.1 + pick.0 }
    await propertyCheck(count: 300, input: padded) { (text: String) in
      #expect(
        Array(text.trimmingASCIIWhitespace.utf8)
          == Array(EnvironmentCheck.trimScalars(text).utf8), "\(Array(text.utf8))")
    }
  }
}
