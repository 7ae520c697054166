import Foundation
import TestSupport
import Testing

/// The mail's HTML part as a phone shows it: a real composed mail of a
/// failed restic-like run with hostile log lines, rendered by headless
/// Chromium 390 px wide. Nothing may widen the page, and no script of the
/// mail's may run.
@Suite struct PhoneRenderingTests {
  /// The mail's document in a frame 390 px wide (headless Chromium lays
  /// a window out 500 px wide at least), measured once it loaded: the
  /// page's and the banner's and summary's widths, the mail's scripts, and
  /// whether one of its would-be scripts ran.
  static func measuringPage(_ html: String) -> String {
    let srcdoc = html.replacingOccurrences(of: "&", with: "&amp;")
      .replacingOccurrences(of: "\"", with: "&quot;")
    return """
      <!DOCTYPE html><html><body style="margin:0">
      <iframe id="mail" style="width:390px;height:3000px;border:0" srcdoc="\(srcdoc)"></iframe>
      <script>
      window.addEventListener('load', function () {
        var d = document.getElementById('mail').contentDocument;
        var table = d.querySelector('table');
        var banner = d.body.firstElementChild;
        document.body.setAttribute('data-measure', [
          d.documentElement.clientWidth, d.documentElement.scrollWidth, banner.scrollWidth,
          Math.ceil(banner.getBoundingClientRect().right), table.scrollWidth,
          Math.ceil(table.getBoundingClientRect().right), d.scripts.length,
          String(d.body.getAttribute('data-pwned'))].join(' '));
      });
      </script></body></html>
      """
  }

  @Test func theReportFitsAPhoneAndRunsNoScript() throws {
    let dir = try Paths.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let id = JournalFixture.newInvocation()
    let messages: [[UInt8]] = [
      Array("repository 4f2a9c1e opened (version 2, compression level auto)".utf8),
      Array("<script>document.body.setAttribute('data-pwned','script')</script>".utf8),
      Array("<img src=x onerror=\"document.body.setAttribute('data-pwned','img')\">".utf8),
      Array("\u{1B}[31mred\u{1B}[0m \u{1B}[1mbold\u{1B}[0m".utf8),
      [0x62, 0x61, 0x64, 0x20, 0xFF, 0xFE, 0x20, 0x75, 0x74, 0x66, 0x2D, 0x38],
      Array(("/srv/" + String(repeating: "very-long-path-without-spaces-", count: 200)).utf8),
      Array(String(repeating: "0123456789abcdef", count: 400).utf8),
      Array("Fatal: wrong password or no key found".utf8),
    ]
    var entries = [
      JournalFixture.managerLine(
        "Starting backup.service...", invocation: id, at: JournalFixture.baseTime)
    ]
    for (i, m) in messages.enumerated() {
      entries.append(
        JournalFixture.serviceLine(
          m, invocation: id, at: JournalFixture.baseTime + UInt64(i + 1) * 1_000_000,
          priority: i == messages.count - 1 ? 3 : 6))
    }
    let path = try JournalFixture.write(entries, in: dir)
    let result = try notifyUnit(
      [
        "--dry-run", "--journal-file", path, "--mail-to", "admin@example.org",
        "backup-of-a-unit-with-a-rather-long-name-that-would-not-fit.service",
      ],
      environment: [
        "SERVICE_RESULT": "exit-code", "EXIT_CODE": "exited", "EXIT_STATUS": "1",
        "INVOCATION_ID": id,
      ])
    #expect(result.status == 0, "\(result.stderr)")
    let mail = try ParsedMessage.parse(result.stdout)
    let html = try #require(mail.html)
    #expect(html.contains("&lt;script&gt;document.body"))
    let dom = try Chromium.dumpDOM(Self.measuringPage(html), width: 500)
    let values = try #require(
      dom.firstMatch(of: /data-measure="([^"]*)"/).map { String($0.1) }, "\(dom.suffix(2000))"
    ).split(separator: " ").map(String.init)
    try #require(values.count == 8, "\(values)")
    #expect(values[0] == "390", "the frame is \(values[0]) px wide")
    let widths = values[1...5].compactMap { Int($0) }
    #expect(widths.count == 5 && widths.allSatisfy { $0 <= 390 }, "widths \(values)")
    // The mail has no script, and none of its log lines became one.
    #expect(values[6] == "0", "scripts \(values[6])")
    #expect(values[7] == "null", "a script of the mail's ran: \(values[7])")
  }
}
