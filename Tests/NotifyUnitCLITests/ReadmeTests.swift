import Foundation
import TestSupport
import Testing

/// The README is the first thing a user follows: its links must lead somewhere.
@Suite struct ReadmeTests {
  /// GitHub's anchor of a heading: lower case, spaces as "-", punctuation gone.
  func anchor(_ heading: String) -> String {
    String(
      heading.lowercased().compactMap { c -> Character? in
        if c == " " { return "-" }
        return c.isLetter || c.isNumber || c == "-" || c == "_" ? c : nil
      })
  }

  @Test func everyLinkResolves() throws {
    let root = Paths.packageRoot
    let text = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
    let anchors = Set(
      text.split(separator: "\n").filter { $0.hasPrefix("#") }.map {
        anchor($0.drop(while: { $0 == "#" }).trimmingCharacters(in: .whitespaces))
      })
    var links: [String] = []
    var rest = text[...]
    while let open = rest.range(of: "](") {
      let after = rest[open.upperBound...]
      guard let close = after.firstIndex(of: ")") else { break }
      links.append(String(after[..<close]))
      rest = after[close...]
    }
    #expect(!links.isEmpty)
    for link in links where !link.hasPrefix("http") {
      if link.hasPrefix("#") {
        #expect(anchors.contains(String(link.dropFirst())), "no heading for \(link)")
      } else {
        let path = String(link.split(separator: "#").first ?? "")
        #expect(
          FileManager.default.fileExists(atPath: root.appendingPathComponent(path).path),
          "no file \(link)")
      }
    }
  }
}
