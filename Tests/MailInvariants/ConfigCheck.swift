import NotifyUnitCore

/// The config file (EnvironmentFile syntax, then Settings): never a crash,
/// one line per problem naming its line, no secret of HC_URL echoed, and
/// CRLF line ends read like LF ones.
public enum ConfigCheck {
  public static func check(fuzzInput bytes: [UInt8]) -> Violations {
    check(text: String(decoding: bytes, as: UTF8.self))
  }

  public static func check(text: String) -> Violations {
    var v = Violations()
    let physicalLines = text.unicodeScalars.filter { $0 == "\n" }.count + 1
    let (assignments, problems) = EnvironmentFile.parse(text)
    for a in assignments {
      v.expect(
        (1...physicalLines).contains(a.line), "assignment on line \(a.line) of \(physicalLines)")
      v.expect(
        !a.key.isEmpty
          && a.key.utf8.allSatisfy {
            ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39)
              || $0 == 0x5F
          }, "invalid key \(show(a.key)) accepted")
      // A value never spans lines: continuations are joined without LF.
      v.expect(
        !a.value.unicodeScalars.contains("\n"),
        "the value of \(show(a.key)) holds a line feed: \(show(a.value))")
    }
    for p in problems {
      v.expect(
        (1...physicalLines).contains(p.line), "problem on line \(p.line) of \(physicalLines)")
    }

    // CRLF files (edited elsewhere) mean the same as LF ones.
    if !text.unicodeScalars.contains("\r") {
      let crlf = String(
        String.UnicodeScalarView(text.unicodeScalars.flatMap { $0 == "\n" ? ["\r", "\n"] : [$0] }))
      let other = EnvironmentFile.parse(crlf)
      v.expect(
        other.assignments == assignments && other.problems == problems,
        "CRLF line ends change the result: \(other.assignments.count) vs \(assignments.count) assignments"
      )
    }

    var settings = Settings()
    let messages = settings.apply(configText: text)
    let secrets = hcURLSecrets(text, assignments)
    for m in messages {
      checkMessage(m, physicalLines: physicalLines, &v)
      // Only the HC_URL line's own message: a value given to another key
      // is that key's (and shown as such).
      // (Text that is also in the host part, after the last "@", may show.)
      for (line, s, host) in secrets
      where m.hasPrefix("line \(line): ") && m.contains(s) && !host.contains(s) {
        v.fail("a message shows the HC_URL secret \(show(s)): \(show(m))")
      }
    }
    for a in settings.mailRecipients(domain: "host.example") {
      MailCheck.checkAddressHeader(a.headerValue, count: 1, &v)
    }
    return v
  }

  /// "line N: what is wrong", on one line, without control characters.
  static func checkMessage(_ m: String, physicalLines: Int, _ v: inout Violations) {
    v.expect(!MailCheck.hasControl(m), "a message is not one clean line: \(show(m))")
    let parts = m.split(separator: ": ", maxSplits: 1)
    guard parts.count == 2, parts[0].hasPrefix("line "), let n = Int(parts[0].dropFirst(5)) else {
      v.fail("a message does not name its line: \(show(m))")
      return
    }
    v.expect((1...physicalLines).contains(n), "a message names line \(n) of \(physicalLines)")
    v.expect(
      parts[1].unicodeScalars.count >= 8 && parts[1].unicodeScalars.count <= 300,
      "a message's reason is empty or overlong: \(show(m))")
  }

  /// The user:password of every URL on a line that sets HC_URL (the part
  /// of a base URL that is a secret), and its password alone, by line.
  static func hcURLSecrets(_ text: String, _ assignments: [EnvironmentFile.Assignment])
    -> [(line: Int, secret: String, host: String)]
  {
    var candidates = assignments.filter { $0.key == "HC_URL" }.map { ($0.line, $0.value) }
    let lines = text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false)
    // A line that means to set HC_URL but has no "=" (the text "HC_URL" in
    // another key's value is that value, shown as such).
    for (i, line) in lines.enumerated()
    where String(line).trimmingASCIIWhitespace.hasPrefix("HC_URL") {
      candidates.append((i + 1, String(line)))
    }
    var secrets: [(line: Int, secret: String, host: String)] = []
    for (line, c) in candidates {
      let host = c.lastIndex(of: "@").map { String(c[$0...]) } ?? ""
      var rest = Substring(c)
      while let r = MailCheck.find(Array("://".utf8), in: Array(rest.utf8)) {
        rest = Substring(rest.utf8.dropFirst(r + 3))
        let authority = rest.prefix { $0 != "/" && $0 != " " && $0 != "\"" && $0 != "'" }
        if let at = authority.lastIndex(of: "@") {
          let userinfo = authority[..<at]
          secrets.append((line, String(userinfo), host))
          if let colon = userinfo.firstIndex(of: ":") {
            secrets.append((line, String(userinfo[userinfo.index(after: colon)...]), host))
          }
        }
      }
    }
    // Short ones would match by chance ("a" is in every message).
    return secrets.filter { $0.secret.unicodeScalars.count >= 6 }
  }
}
