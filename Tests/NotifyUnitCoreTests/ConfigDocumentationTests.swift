import Foundation
import Testing

@testable import NotifyUnitCore

/// The one list of settings, `Settings.keys`, and what documents it: the
/// table beside it (notify-unit.conf(5) is made from it) and the README's.
@Suite struct ConfigDocumentationTests {
  @Test func everyKeyIsDocumentedAndNoOther() {
    #expect(Settings.documentation.map(\.key) == Settings.keys)
  }

  /// Settings.set knows each key (a bad value may be refused, the key not).
  @Test func everyDocumentedKeyIsKnown() {
    for doc in Settings.documentation {
      var settings = Settings()
      do throws(ConfigurationError) {
        try settings.set(doc.key, "")
      } catch {
        #expect(!"\(error)".contains("unknown setting"), "\(doc.key)")
      }
    }
  }

  /// A default given as a value is the value `Settings()` has: setting it
  /// changes nothing. (The others describe: "none", "system journal".)
  @Test func documentedDefaultsAreTheRealOnes() throws {
    let descriptive: Set = [
      "none", "system journal", "$STATE_DIRECTORY, else this user's, as above",
      "notify-unit@HOST", "from HC_URL",
    ]
    for doc in Settings.documentation where !descriptive.contains(doc.defaultValue) {
      var settings = Settings()
      try settings.set(doc.key, doc.defaultValue)
      if doc.key.hasSuffix("_ON") {
        // A policy is kept as set, though it equals the default: compare
        // what it decides.
        let unit = "backup.service"
        #expect(settings.mailPolicy(for: unit) == Settings().mailPolicy(for: unit), "\(doc.key)")
      } else if doc.key == "ALERT_AFTER" || doc.key == "REMIND_EVERY" {
        // Kept as set, like a policy: compare the rules they make.
        let unit = "backup.service"
        #expect(settings.alertRules(for: unit) == Settings().alertRules(for: unit), "\(doc.key)")
      } else {
        #expect(settings == Settings(), "\(doc.key)=\(doc.defaultValue)")
      }
    }
  }

  @Test func theManualPageHasEveryKeyOnce() throws {
    let page = SettingsManualPage.render(date: "December 1, 2026")
    let items = page.split(separator: "\n").filter { $0.hasPrefix(".It Ev ") }
      .map { String($0.dropFirst(7)) }
    #expect(items == Settings.keys)
    #expect(page.contains(".Fl \\-mail\\-to Ar ADDR ,\nrepeatable."))
    // Every default is said where it is given: the page has no "below"
    // to point to.
    #expect(!page.contains("see below"))
    let state = try #require(page.range(of: ".It Ev STATE_DIRECTORY\n"))
    let item = page[state.upperBound...].split(separator: "\n").prefix(3).joined(separator: "\n")
    #expect(item.contains("Unset: systemd's $STATE_DIRECTORY"), "\(item)")
    // A macro counts only at a line's start: none in the middle of text,
    // and no text line starting with a quote (roff's other control char).
    for line in page.split(separator: "\n") {
      #expect(!line.hasPrefix("'"), "\(line)")
      #expect(!line.dropFirst().contains(" .Ev ") && !line.dropFirst().contains(" .Fl "), "\(line)")
    }
  }

  /// The README's configuration table: its key column lists exactly the
  /// documented keys, each with the documented default.
  @Test func theReadmeTableListsExactlyTheseKeys() throws {
    let readme = try String(
      contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(
          "README.md"), encoding: .utf8)
    let section = try #require(readme.range(of: "### Configuration"))
    let rows = readme[section.upperBound...].split(separator: "\n")
      .drop { !$0.hasPrefix("| flag | key |") }.dropFirst(2).prefix { $0.hasPrefix("|") }
    var defaults: [String: String] = [:]
    var keys: [String] = []
    for row in rows {
      // `always\|failure` is a pipe inside a cell, not between cells.
      let cells = row.replacingOccurrences(of: "\\|", with: "\u{1}")
        .split(separator: "|", omittingEmptySubsequences: false)
        .map { $0.trimmingCharacters(in: .whitespaces) }
      // | flag | key | default | meaning |: the key is the first `...` in its cell.
      let keyCell = cells[2].split(separator: "`", omittingEmptySubsequences: false)
      guard keyCell.count > 1 else { continue }  // a flag without a key
      let key = String(keyCell[1])
      keys.append(key)
      defaults[key] = cells[3].replacingOccurrences(of: "`", with: "")
    }
    #expect(keys.sorted() == Settings.keys.sorted())
    for doc in Settings.documentation {
      #expect(defaults[doc.key]?.hasPrefix(doc.defaultValue) == true, "\(doc.key)")
    }
  }
}
