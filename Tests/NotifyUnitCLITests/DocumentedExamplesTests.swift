import Foundation
import TestSupport
import Testing

/// What a user pastes from the shipped documents must work: the README, the
/// docs, the shipped config and drop-in, man 5 (`conf-manual`) and man 1
/// (made from the help texts, here as `--experimental-dump-help` gives them).
@Suite struct DocumentedExamplesTests {
  /// Each document's name and text, roff escapes undone.
  static func documents() throws -> [(name: String, text: String)] {
    let root = Paths.packageRoot
    var files = [
      "README.md", "units/notify-unit.conf", "units/examples/notify-unit-stop-post.conf",
    ]
    for dir in ["docs", "units"] {
      let names = try FileManager.default.contentsOfDirectory(
        atPath: root.appendingPathComponent(dir).path)
      files += names.filter { $0.hasSuffix(".md") || $0.hasSuffix(".service") }.map {
        "\(dir)/\($0)"
      }
    }
    var documents = try files.map { file in
      (
        name: file,
        text: try String(contentsOf: root.appendingPathComponent(file), encoding: .utf8)
      )
    }
    let manual = try Command.run(Paths.notifyUnit, ["conf-manual", "--date", "today"])
    #expect(manual.status == 0, "\(manual.stderr)")
    documents.append(
      (
        name: "man 5",
        text: manual.stdoutText.replacingOccurrences(of: "\\-", with: "-")
          .replacingOccurrences(of: "\\&", with: "").replacingOccurrences(of: "\\e", with: "\\")
      ))
    let help = try Command.run(Paths.notifyUnit, ["--experimental-dump-help"])
    #expect(help.status == 0, "\(help.stderr)")
    documents.append(
      (
        name: "man 1",
        text: helpStrings(try JSONSerialization.jsonObject(with: help.stdout)).joined(
          separator: "\n")
      ))
    return documents
  }

  /// Every string in the help's JSON: abstracts, discussions, option help.
  static func helpStrings(_ value: Any) -> [String] {
    switch value {
    case let s as String: [s]
    case let a as [Any]: a.flatMap(helpStrings)
    case let d as [String: Any]: d.values.flatMap(helpStrings)
    default: []
    }
  }

  /// The values written after `prefix` in `text`, up to a backtick, a
  /// quote or the end of the line (roff and Markdown both end them so).
  static func values(after prefix: String, in text: String, stopAtSpace: Bool) -> [String] {
    var found: [String] = []
    var rest = text[...]
    while let range = rest.range(of: prefix) {
      let value = rest[range.upperBound...].prefix {
        !"`\"\n".contains($0) && !(stopAtSpace && $0 == " ")
      }
      found.append(value.trimmingCharacters(in: .whitespaces))
      rest = rest[range.upperBound...]
    }
    return found
  }

  /// MAIL_TO=root (the conffile's example) and man 5's
  /// `MAIL_TO=root, admin@example.org`, and every other documented address,
  /// pass the config's validation as doctor applies it.
  @Test func everyDocumentedAddressIsAccepted() throws {
    var lines: [(source: String, line: String)] = []
    for document in try Self.documents() {
      for key in ["MAIL_TO", "MAIL_FROM"] {
        for value in Self.values(after: key + "=", in: document.text, stopAtSpace: false) {
          lines.append((document.name, "\(key)=\(value)"))
        }
      }
      for (flag, key) in [("--mail-to", "MAIL_TO"), ("--mail-from", "MAIL_FROM")] {
        for separator in [" ", "="] {
          for value in Self.values(after: flag + separator, in: document.text, stopAtSpace: true)
          where !value.isEmpty && value != "ADDR" && !value.hasPrefix("-") {
            lines.append((document.name, "\(key)=\(value)"))
          }
        }
      }
    }
    // The examples this is about are among them.
    #expect(lines.contains { $0.source == "units/notify-unit.conf" && $0.line == "MAIL_TO=root" })
    #expect(lines.contains { $0.source == "man 5" && $0.line.hasPrefix("MAIL_TO=root, ") })
    #expect(lines.contains { $0.source == "man 1" })

    let dir = try Paths.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let config = dir.appendingPathComponent("examples.conf").path
    try lines.map(\.line).joined(separator: "\n").write(
      toFile: config, atomically: true, encoding: .utf8)
    let result = try operatorCommand(
      "doctor", ["--probe-timeout", "1"], config: config,
      environment: ["STATE_DIRECTORY": dir.appendingPathComponent("state").path])
    let bad = result.stdoutText.split(separator: "\n").filter { $0.hasPrefix("✗ config") }
    for problem in bad {
      // "✗ config: PATH: line N: …" names the example.
      let number = problem.split(separator: "line ").dropFirst().first?.prefix { $0.isNumber }
      let example = number.flatMap { Int($0) }.map { lines[$0 - 1] }
      Issue.record("\(example.map { "\($0.source): \($0.line)" } ?? "?"): \(problem)")
    }
    #expect(
      result.stdoutText.contains("✓ config: \(config) has no problem"), "\(result.stdoutText)")
  }

  /// The files the packages install, from debian/*.install (each line's
  /// first field, the path under the root).
  static func packagedFiles() throws -> Set<String> {
    let debian = Paths.packageRoot.appendingPathComponent("debian")
    var files: Set<String> = []
    for name in try FileManager.default.contentsOfDirectory(atPath: debian.path)
    where name.hasSuffix(".install") {
      let text = try String(contentsOf: debian.appendingPathComponent(name), encoding: .utf8)
      for line in text.split(separator: "\n") {
        if let path = line.split(separator: " ").first { files.insert("/" + path) }
      }
    }
    return files
  }

  /// The notify-unit a line runs: in an Exec*= setting, or as a command
  /// (at the start of a line, or after "$ ").
  static func invocations(in text: String) throws -> [String] {
    let pattern = try NSRegularExpression(
      pattern: #"(?:Exec[A-Za-z]*=[-+!@:]*|^[ \t]*|\$ )(/[^\s`'"]*/notify-unit)(?=[\s`'"]|$)"#,
      options: [.anchorsMatchLines])
    let range = NSRange(text.startIndex..., in: text)
    return pattern.matches(in: text, range: range).compactMap {
      Range($0.range(at: 1), in: text).map { String(text[$0]) }
    }
  }

  /// The README's "Use it" drop-in, the help's (man 1's) examples, man 5
  /// and the drop-in example name the notify-unit the package installs:
  /// followed literally after installing it, they run.
  @Test func everyDocumentedInvocationRunsTheInstalledBinary() throws {
    let installed = try Self.packagedFiles().filter { $0.hasSuffix("bin/notify-unit") }
    #expect(installed == ["/usr/bin/notify-unit"], "\(installed)")
    var seen: [String: Int] = [:]
    for document in try Self.documents() where !document.name.hasSuffix(".service") {
      // units/*.service are a source install's (scripts/install-backup);
      // the package rewrites them (PackagingTests check what it ships).
      for path in try Self.invocations(in: document.text) {
        seen[document.name, default: 0] += 1
        #expect(installed.contains(path), "\(document.name) runs \(path)")
      }
    }
    // The places this is about were looked at.
    for name in ["README.md", "man 1", "units/examples/notify-unit-stop-post.conf"] {
      #expect(seen[name, default: 0] > 0, "no invocation found in \(name)")
    }
  }
  /// The manual (made from the help's description) and `--help` list the
  /// commands a user runs, not the package build's `conf-manual`, which
  /// still works for the build.
  @Test func theInternalCommandIsNotListed() throws {
    let dump = try Command.run(Paths.notifyUnit, ["--experimental-dump-help"])
    let object = try #require(try JSONSerialization.jsonObject(with: dump.stdout) as? [String: Any])
    let command = try #require(object["command"] as? [String: Any])
    let names = (command["subcommands"] as? [[String: Any]] ?? []).compactMap {
      $0["commandName"] as? String
    }
    #expect(names.contains("doctor") && names.contains("status"), "\(names)")
    #expect(!names.contains("conf-manual"), "\(names)")
    let help = try Command.run(Paths.notifyUnit, ["--help"])
    #expect(!help.stdoutText.contains("conf-manual"))
    let manual = try Command.run(Paths.notifyUnit, ["conf-manual", "--date", "today"])
    #expect(manual.status == 0 && manual.stdoutText.hasPrefix(".Dd today\n"), "\(manual.stderr)")
  }
}
