/// The Healthchecks check a run reports to, and the URLs of its pings.
///
/// The check is a secret: anyone who knows it can forge the job's health. It
/// is never printed whole; `redacted` is what logs and errors show.
public struct PingTarget: Sendable, Equatable {
  /// The URL of the success ping, without query.
  public let successURL: String
  /// How the check is shown: the base URL and the first 4 characters.
  public let redacted: String
  /// The secret parts, for scrubbing text that may have echoed them.
  public let secrets: [String]
  /// A `PING-KEY/slug` check (the only kind `?create=1` applies to).
  public private(set) var isSlugCheck = false
  /// Ping with `?create=1`: Healthchecks creates a missing slug check
  /// (answering 201). Set only for a slug check (HC_CREATE).
  public var create = false {
    didSet { create = create && isSlugCheck }
  }

  public static let defaultBaseURL = "https://hc-ping.com"

  /// `check` is a UUID (pinged under `baseURL`), a `ping-key/slug`, or a full
  /// http(s) URL of a check on a self-hosted instance.
  public init(check: String, baseURL: String = defaultBaseURL) throws(ConfigurationError) {
    let value = check.trimmingASCIIWhitespace
    if value.hasPrefix("http://") || value.hasPrefix("https://") {
      guard let url = Self.validURL(value), let parts = Self.split(url) else {
        throw .invalid(
          "CHECK is not a usable ping URL (it has spaces, a query or control characters)\(URLAuthority.why(value))"
        )
      }
      let path = parts.path.split(separator: "/").map(String.init)
      guard !path.isEmpty else {
        throw .invalid("CHECK URL names no check: it needs a path such as /ping/UUID")
      }
      // Mask the secret part: the UUID, or the ping key before a slug; a
      // path of neither form is hidden whole.
      var shown = path
      var secrets = URLAuthority.of(url)?.secrets ?? []
      if let i = path.lastIndex(where: Self.isUUID) {
        shown[i] = Self.mask(path[i])
        secrets.append(path[i])
      } else if path.count >= 2, Self.isPingKey(Substring(path[path.count - 2])) {
        try Self.checkSlug(Substring(path[path.count - 1]))
        shown[path.count - 2] = Self.mask(path[path.count - 2])
        secrets.append(path[path.count - 2])
        isSlugCheck = true
      } else {
        shown = ["…"]
        secrets += path.filter { $0.utf8.count >= 4 }
      }
      if let refusal = URLAuthority.of(url)?.cleartextRefusal {
        throw .invalid("CHECK \(parts.shownRoot)/… cannot be used: \(refusal)")
      }
      successURL = url
      self.secrets = secrets
      redacted = parts.shownRoot + "/" + shown.joined(separator: "/")
      return
    }
    guard let base = Self.validURL(baseURL), let parts = Self.split(base) else {
      throw .invalid(
        "the Healthchecks base URL \"\(Self.withoutUserinfo(baseURL).sanitizedForDisplay(maxLength: 80))\" is not an http(s) URL\(URLAuthority.why(baseURL))"
      )
    }
    if let refusal = URLAuthority.of(base)?.cleartextRefusal {
      throw .invalid("the Healthchecks base URL \(parts.shownRoot) cannot be used: \(refusal)")
    }
    let root = base.trimmingSlashes
    let shownRoot = (parts.shownRoot + parts.path).trimmingSlashes
    let userinfo = URLAuthority.of(base)?.secrets ?? []
    if Self.isUUID(value) {
      successURL = root + "/" + value.lowercased()
      secrets = [value.lowercased(), value] + userinfo
      redacted = shownRoot + "/" + Self.mask(value)
    } else if let slash = value.firstIndex(of: "/"), Self.isPingKey(value[..<slash]) {
      try Self.checkSlug(value[value.index(after: slash)...])
      let key = String(value[..<slash])
      successURL = root + "/" + value
      secrets = [key] + userinfo
      redacted = shownRoot + "/" + Self.mask(key) + String(value[slash...])
      isSlugCheck = true
    } else {
      throw .invalid("CHECK must be a check UUID, PING-KEY/SLUG, or an http(s) ping URL")
    }
  }

  /// `url` for a message about it being unusable: a "user:password@"
  /// (a secret) always ends in "@", so only what follows the last "@" is
  /// shown, up to a path, whatever comes before it.
  static func withoutUserinfo(_ url: String) -> String {
    guard let at = url.lastIndex(of: "@") else { return url }
    return "…@" + url[url.index(after: at)...].prefix { $0 != "/" }
  }

  /// An http(s) URL's parts: "scheme://host[:port]" without any
  /// "user:password@" (which is a secret too), and the path.
  static func split(_ url: String) -> (shownRoot: String, userinfo: String?, path: String)? {
    guard url.hasPrefix("https://") || url.hasPrefix("http://"), let parts = URLAuthority.of(url)
    else { return nil }
    return (parts.shownRoot, parts.userinfo, parts.rest)
  }

  /// Never `successURL + "/"`: Healthchecks routes an empty suffix to
  /// success, the pitfall of `.../${EXIT_STATUS}` recipes.
  public func url(success: Bool, rid: String?) -> String {
    url(path: success ? "" : "/fail", rid: rid)
  }

  public func redactedURL(success: Bool, rid: String?) -> String {
    redactedURL(path: success ? "" : "/fail", rid: rid)
  }

  /// The endpoint of a finish ping by the run's verdict: "" (success, a
  /// warning too: its note is in the body); for a failure whose main
  /// process exited 1-255, that status ("/1"), which Healthchecks shows as
  /// "exit status 1"; "/fail" for every other failure (a signal, a timeout
  /// that exited 0: never a signal's name, never "/0"); "/log" for a
  /// skipped run, which changes no state, so a check whose runs are all
  /// skipped still goes down when its schedule passes. A start refused by
  /// the start limit is no exit of the job (its main process is the last
  /// run's): "/fail".
  public static func finishPath(
    verdict: Verdict, mainProcess: MainProcessExit?, result: ServiceResult? = nil
  ) -> String {
    switch verdict {
    case .success, .warning: return ""
    case .skipped: return "/log"
    case .failure, .interrupted:
      if result != .startLimitHit, case .exited(let status)? = mainProcess,
        (1...255).contains(status)
      {
        return "/\(status)"
      }
      return "/fail"
    }
  }

  /// `path` is "", "/fail", "/log", "/start" or "/<exit status>".
  public func url(path: String, rid: String?) -> String {
    successURL + path + query(rid: rid)
  }

  public func redactedURL(path: String, rid: String?) -> String {
    redacted + path + query(rid: rid)
  }

  /// "?create=1&rid=…", either, or "".
  func query(rid: String?) -> String {
    let items = (create ? ["create=1"] : []) + (rid.map { ["rid=" + $0] } ?? [])
    return items.isEmpty ? "" : "?" + items.joined(separator: "&")
  }

  /// A slug as Healthchecks makes them: lower-case letters, digits, "-" and
  /// "_"; anything else is refused here, with the slug it likely meant.
  static func checkSlug(_ slug: Substring) throws(ConfigurationError) {
    guard !isSlug(slug) else { return }
    let shown = String(slug).sanitizedForDisplay(maxLength: 60)
    let suggestion = suggestedSlug(slug)
    throw .invalid(
      "the slug \"\(shown)\" of CHECK PING-KEY/SLUG may hold only lower-case letters, digits, - and _"
        + (suggestion.isEmpty ? "" : ": did you mean \"\(suggestion)\"?"))
  }

  /// Like Healthchecks' (Django's) slugify: lower case, spaces and runs of
  /// "-" as one "-", other characters dropped.
  static func suggestedSlug(_ text: Substring) -> String {
    var result: [UInt8] = []
    for c in text.lowercased().utf8 {
      if isSlugByte(c) && c != 0x2D {
        result.append(c)
      } else if c == 0x20 || c == 0x2D || c == 0x2E || c == 0x2F {
        if result.last != 0x2D { result.append(0x2D) }
      }
    }
    while result.last == 0x2D { result.removeLast() }
    while result.first == 0x2D { result.removeFirst() }
    return String(decoding: result, as: UTF8.self)
  }

  /// Replaces every secret in `text` (an error from curl, say) by its mask.
  public func scrub(_ text: String) -> String {
    var result = text
    for secret in secrets where secret.utf8.count >= 4 {
      result = result.replacingAll(secret, with: Self.mask(secret))
    }
    return result
  }

  static func mask(_ secret: String) -> String { String(secret.prefix(4)) + "…" }

  static func validURL(_ s: String) -> String? {
    let t = s.trimmingASCIIWhitespace
    guard !t.isEmpty, t.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }), !t.contains("?"),
      !t.contains("#")
    else { return nil }
    return t.trimmingSlashes
  }

  public static func isUUID(_ s: String) -> Bool {
    let u = Array(s.utf8)
    guard u.count == 36 else { return false }
    for (i, c) in u.enumerated() {
      if [8, 13, 18, 23].contains(i) {
        if c != 0x2D { return false }
      } else if !isHex(c) {
        return false
      }
    }
    return true
  }

  static func isHex(_ c: UInt8) -> Bool {
    (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46)
  }

  static func isPingKey(_ s: Substring) -> Bool {
    s.utf8.count >= 8 && s.utf8.allSatisfy { isSlugByte($0) || ($0 >= 0x41 && $0 <= 0x5A) }
  }

  static func isSlug(_ s: Substring) -> Bool {
    !s.isEmpty && s.utf8.allSatisfy(isSlugByte)
  }

  static func isSlugByte(_ c: UInt8) -> Bool {
    (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) || c == 0x2D || c == 0x5F
  }
}

/// A systemd invocation ID (128 bits, 32 hex digits) as the canonical UUID
/// Healthchecks wants for `rid`.
public func ridFromInvocationID(_ id: String) -> String? {
  let hex = Array(id.lowercased().utf8)
  guard hex.count == 32, hex.allSatisfy(PingTarget.isHex) else { return nil }
  let s = String(decoding: hex, as: UTF8.self)
  let parts = [(0, 8), (8, 12), (12, 16), (16, 20), (20, 32)].map { a, b in
    String(s.dropFirst(a).prefix(b - a))
  }
  return parts.joined(separator: "-")
}

extension String {
  var trimmingSlashes: String {
    var s = Substring(self)
    while s.hasSuffix("/") { s = s.dropLast() }
    while s.hasPrefix("/") { s = s.dropFirst() }
    return String(s)
  }

  public func replacingAll(_ target: String, with replacement: String) -> String {
    guard !target.isEmpty else { return self }
    var result = ""
    var rest = Substring(self)
    while let range = rest.range(of: target) {
      result += rest[..<range.lowerBound]
      result += replacement
      rest = rest[range.upperBound...]
    }
    return result + rest
  }
}

extension StringProtocol {
  /// Substring search without Foundation.
  func range(of target: String) -> Range<Index>? {
    guard let first = target.first else { return nil }
    var i = startIndex
    while let candidate = self[i...].firstIndex(of: first) {
      if self[candidate...].starts(with: target) {
        return candidate..<self.index(candidate, offsetBy: target.count)
      }
      i = self.index(after: candidate)
    }
    return nil
  }
}
