import Foundation
import MailInvariants
import TestSupport
import Testing

/// Every fuzz input kept in the repository, through the fuzz targets' own
/// checks, without libFuzzer: the corpus (Fuzz/corpus) must stay clean, and
/// every crash found (Fuzz/crashes) stays as a regression file once fixed.
@Suite struct CorpusReplayTests {
  static func files(_ folder: String, _ target: FuzzTarget) -> [URL] {
    let dir = Paths.packageRoot.appendingPathComponent("Fuzz/\(folder)/\(target.rawValue)")
    let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
    return names.filter { !$0.hasPrefix(".") }.sorted().map { dir.appendingPathComponent($0) }
  }

  @Test(arguments: FuzzTarget.allCases)
  func corpusAndCrashesPassTheChecks(target: FuzzTarget) throws {
    let corpus = Self.files("corpus", target)
    // The seeds are committed: an empty folder means a broken checkout.
    #expect(corpus.count >= 5, "Fuzz/corpus/\(target.rawValue) has \(corpus.count) files")
    for file in corpus + Self.files("crashes", target) {
      let input = [UInt8](try Data(contentsOf: file))
      let violations = target.check(input)
      #expect(violations.isEmpty, "\(file.lastPathComponent): \(violations)")
    }
  }

  /// The checker itself catches what it is for: a message altered after
  /// composing fails it.
  @Test func theMailCheckFailsBrokenMessages() {
    let mailCase = MailCase(unit: "backup.service", host: "nas", messages: [Array("done".utf8)])
    let good = mailCase.compose()
    #expect(MailCheck.check(good, mailCase).isEmpty)
    let text = String(decoding: good.message, as: UTF8.self)
    let broken = [
      text.replacingOccurrences(of: "\nDate: ", with: "\nBcc: evil@example.com\nDate: "),
      text.replacingOccurrences(of: "To: admin@example.org", with: "To: admin@example.org, e@x"),
      text.replacingOccurrences(
        of: "\n\n", with: "\n\n" + String(repeating: "x", count: 999) + "\n"),
      text.replacingOccurrences(of: "\nDate: ", with: "\r\nDate: "),
      text + "=ZZ\n",
      text.replacingOccurrences(of: "Log lines:     1", with: "Log lines:     2"),
    ]
    // The HTML part: a script, an event handler, a log line unescaped,
    // something loaded.
    let markup = MailCase(
      unit: "backup.service", host: "nas", messages: [Array("<b>bold</b>".utf8)])
    let composed = markup.compose()
    let html = String(decoding: composed.composer.bodyHTML(attachment: nil), as: UTF8.self)
    #expect(HTMLCheck.check(Array(html.utf8), shown: 1, composed, markup).isEmpty)
    for (from, to) in [
      ("\n<html>", "\n<script>x()</script><html>"),
      ("<body style=", "<body onload=\"x()\" style="),
      ("&lt;b&gt;bold", "<b>bold"),
      ("<head>", "<head><link href=\"//x\">"),
      ("background:#b3261e", "background:url(//x)"),
    ] {
      let broken = html.replacingOccurrences(of: from, with: to)
      #expect(broken != html, "\(from) not in the HTML")
      #expect(
        !HTMLCheck.check(Array(broken.utf8), shown: 1, composed, markup).isEmpty,
        "not caught: \(to)")
    }
    for message in broken {
      var mail = good
      mail.message = Array(message.utf8)
      #expect(!MailCheck.check(mail, mailCase).isEmpty, "not caught: \(message.prefix(200))")
    }
  }
}
