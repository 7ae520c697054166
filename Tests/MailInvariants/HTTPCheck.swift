import NotifyUnitCore

/// An HTTP answer as a peer controls it: header lines (a status line
/// starts again), Retry-After and Ping-Body-Limit, a status and a body.
/// Never a trap; the headers as the rule below reads them; a retry after a
/// finite, non-negative wait; a failure told on one bounded line that
/// holds none of the request's credentials.
public enum HTTPCheck {
  /// Fields: 0 knobs (4 bytes status, big-endian and signed; 1 byte the
  /// attempt; 1 byte jitter; 8 bytes "now", signed seconds), 1 header
  /// lines separated by LF (each handed over with CR LF, as libcurl does),
  /// 2 the body, 3 and on credentials.
  public static func check(fuzzInput bytes: [UInt8]) -> Violations {
    let f = FuzzFields(bytes)
    func number(_ at: Int, _ count: Int) -> UInt64 {
      var n: UInt64 = 0
      for k in 0..<count { n = n << 8 | UInt64(f.byte(0, at + k, default: 0)) }
      return n
    }
    let status = Int(Int32(truncatingIfNeeded: number(0, 4)))
    let attempt = Int(f.byte(0, 4, default: 1))
    let jitter = Double(f.byte(0, 5, default: 0)) / 255
    let now = Double(Int64(bitPattern: number(6, 8)))
    let lines = f[1].split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init)
    let credentials = (3..<max(3, f.fields.count)).map { f.text($0) }
    return check(
      status: status, headerLines: lines, body: f[2], credentials: credentials,
      attempt: attempt, jitter: jitter, now: now)
  }

  public static func check(
    status: Int, headerLines: [[UInt8]], body: [UInt8], credentials: [String], attempt: Int,
    jitter: Double, now: Double
  ) -> Violations {
    var v = Violations()
    var headers = HTTPResponseHeaders()
    for line in headerLines { headers.take(line: line + [0x0D, 0x0A]) }
    v.expect(headers.values == expectedHeaders(headerLines), "headers \(headers.values)")
    for (name, value) in headers.values {
      v.expect(name == name.lowercased(), "header name \(show(name))")
      let space: Set<UInt8> = [0x20, 0x09, 0x0D, 0x0A]
      v.expect(
        !(value.utf8.first.map(space.contains) ?? false)
          && !(value.utf8.last.map(space.contains) ?? false), "header value \(show(value))")
    }

    // Ping-Body-Limit: digits only, a huge one at Int.max.
    let limitText = headers["ping-body-limit"]
    v.expect(
      headers.pingBodyLimit == limitText.flatMap(CountRule.count),
      "Ping-Body-Limit \(show(limitText ?? "")) read as \(String(describing: headers.pingBodyLimit))"
    )

    // Retry-After and the decision: never a trap, never a wait that is not
    // a finite number of seconds from now on.
    let policy = RetryPolicy()
    if let retryAfter = headers.retryAfter,
      let wait = RetryPolicy.retryAfterSeconds(retryAfter, now: now)
    {
      v.expect(wait.isFinite && wait >= 0, "Retry-After \(show(retryAfter)) waits \(wait)")
    }
    let decision = policy.decide(
      .answered(status: status, retryAfter: headers.retryAfter), attempt: attempt,
      jitter: jitter, now: now)
    switch decision {
    case .done: v.expect((200..<300).contains(status), "HTTP \(status) taken as delivered")
    case .retry(let wait):
      v.expect(wait.isFinite && wait >= 0, "a retry after \(wait) s")
      v.expect(!(200..<300).contains(status), "HTTP \(status) retried")
    case .giveUp: break
    }

    // The failure line and the Management API's refusal line.
    let failure = HTTPFailureText.line(status: status, body: body, credentials: credentials)
    let prefix = "HTTP \(status) "
    // By bytes: a Character compare would see " " and a leading joiner as one.
    v.expect(failure.utf8.starts(with: prefix.utf8), "failure line \(show(failure))")
    let told = String(decoding: failure.utf8.dropFirst(prefix.utf8.count), as: UTF8.self)
    // At most 200 shown, a dotted circle before and an ellipsis after.
    v.expect(told.unicodeScalars.count <= 202, "failure line of \(told.unicodeScalars.count)")
    let refusal = ManagementAPI.refusal(
      status: status, body: String(decoding: body, as: UTF8.self), secrets: credentials)
    for line in [failure, refusal] {
      v.expect(!MailCheck.hasControl(line), "a control character in \(show(line))")
    }
    for secret in credentials where isCheckable(secret) {
      v.expect(!told.contains(secret), "credential \(show(secret)) in \(show(failure))")
    }
    return v
  }

  /// The documented rule, written apart from the parser: the headers of
  /// the lines after the last status line; the name is the text before the
  /// first colon, lower-cased; the value, the text after it without
  /// spaces, tabs, CR and LF around it; the last value of a name.
  static func expectedHeaders(_ lines: [[UInt8]]) -> [String: String] {
    let start = (lines.lastIndex { $0.starts(with: Array("HTTP/".utf8)) }).map { $0 + 1 } ?? 0
    var out: [String: String] = [:]
    for line in lines[start...] {
      guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { continue }
      var value = Array(line[(colon + 1)...])
      let space: Set<UInt8> = [0x20, 0x09, 0x0D, 0x0A]
      while let first = value.first, space.contains(first) { value.removeFirst() }
      while let last = value.last, space.contains(last) { value.removeLast() }
      out[String(decoding: line[..<colon], as: UTF8.self).lowercased()] = String(
        decoding: value, as: UTF8.self)
    }
    return out
  }

  /// A credential the check can look for: printable ASCII (nothing the
  /// display rule changes, nothing the "…" of a replacement can be part
  /// of) and as long as the credentials a request carries (4 bytes).
  static func isCheckable(_ secret: String) -> Bool {
    secret.utf8.count >= 4 && secret.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
  }
}
