/// A parser for systemd's EnvironmentFile= syntax (systemd.exec(5)), so one
/// file can serve notify-unit's --config and a unit's EnvironmentFile=.
///
/// `KEY=VALUE` per line; lines starting with `#` or `;` are comments; values
/// may be "double-quoted" (with \" \\ \$ \` escapes) or 'single-quoted'; a
/// backslash at the end of a line continues it; unquoted values lose their
/// surrounding whitespace.
public enum EnvironmentFile {
  public struct Assignment: Sendable, Equatable {
    public var key: String
    public var value: String
    public var line: Int
  }

  public struct Problem: Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var message: String
    public var description: String { "line \(line): \(message)" }
  }

  public static func parse(_ text: String) -> (assignments: [Assignment], problems: [Problem]) {
    var assignments: [Assignment] = []
    var problems: [Problem] = []
    // Join continuation lines first, remembering where each logical line began.
    var logical: [(Int, String)] = []
    var current = ""
    var startLine = 0
    var continuing = false
    // Split by scalars: "\r\n" is one Character, so a split by Character
    // would read a CRLF file as one line.
    for (index, rawLine) in text.unicodeScalars
      .split(separator: "\n", omittingEmptySubsequences: false).enumerated()
    {
      var line = Substring(rawLine)
      if line.hasSuffix("\r") { line = line.dropLast() }
      if !continuing {
        startLine = index + 1
        current = ""
      }
      let trailing = line.reversed().prefix { $0 == "\\" }.count
      if trailing % 2 == 1 {
        current += line.dropLast()
        continuing = true
        continue
      }
      current += line
      continuing = false
      logical.append((startLine, current))
    }
    if continuing { logical.append((startLine, current)) }

    for (number, line) in logical {
      // C's parsers stop at a NUL ("TIMEOUT=7\0junk" read as 7): a line
      // with one is not text, whatever comes before it.
      if line.unicodeScalars.contains("\0") {
        problems.append(Problem(line: number, message: "a NUL byte: the line is not text"))
        continue
      }
      let trimmed = line.trimmingASCIIWhitespace
      if trimmed.isEmpty || trimmed.hasPrefix("#") || trimmed.hasPrefix(";") { continue }
      guard let eq = trimmed.firstIndex(of: "=") else {
        // Only the line's first word: the rest may be a secret meant as a
        // value (`HC_URL https://user:password@host`).
        let word = trimmed.prefix { !" \t:\"'".contains($0) }
        problems.append(
          Problem(
            line: number,
            message:
              "no \"=\" in the line starting \"\(String(word).sanitizedForDisplay(maxLength: 40))\""
          ))
        continue
      }
      let key = trimmed[..<eq].trimmingASCIIWhitespace
      guard isValidKey(key) else {
        // Its first word only, as above: `HC_URL https://user:password@h/?a=b`.
        let word = String(key.prefix { !" \t:\"'".contains($0) })
        let shown = word.sanitizedForDisplay(maxLength: 60) + (word == key ? "" : "…")
        problems.append(Problem(line: number, message: "invalid key \"\(shown)\""))
        continue
      }
      switch unquote(trimmed[trimmed.index(after: eq)...].trimmingASCIIWhitespace) {
      case .success(let value): assignments.append(Assignment(key: key, value: value, line: number))
      case .failure(let problem):
        problems.append(Problem(line: number, message: "\(problem.message) in the value of \(key)"))
      }
    }
    return (assignments, problems)
  }

  struct UnquoteError: Error { var message: String }

  static func unquote(_ raw: String) -> Result<String, UnquoteError> {
    var out = ""
    var chars = raw.makeIterator()
    var pendingSpace = ""
    while let c = chars.next() {
      switch c {
      case "\"":
        out += pendingSpace
        pendingSpace = ""
        var closed = false
        while let d = chars.next() {
          if d == "\"" {
            closed = true
            break
          }
          if d == "\\" {
            guard let e = chars.next() else { break }
            if !"\"\\$`".contains(e) { out.append("\\") }
            out.append(e)
          } else {
            out.append(d)
          }
        }
        if !closed { return .failure(UnquoteError(message: "unterminated double quote")) }
      case "'":
        out += pendingSpace
        pendingSpace = ""
        var closed = false
        while let d = chars.next() {
          if d == "'" {
            closed = true
            break
          }
          out.append(d)
        }
        if !closed { return .failure(UnquoteError(message: "unterminated single quote")) }
      case "\\":
        out += pendingSpace
        pendingSpace = ""
        if let e = chars.next() { out.append(e) }
      case " ", "\t":
        pendingSpace.append(c)
      default:
        out += pendingSpace
        pendingSpace = ""
        out.append(c)
      }
    }
    return .success(out)
  }

  static func isValidKey(_ key: String) -> Bool {
    guard let first = key.utf8.first, !(first >= 0x30 && first <= 0x39) else { return false }
    return key.utf8.allSatisfy {
      ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39)
        || $0 == 0x5F
    }
  }
}
