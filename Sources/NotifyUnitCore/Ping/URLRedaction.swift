/// A spooled ping's URL with nothing secret left: scheme, host and port,
/// then "…", then the ping's kind when it has one (`/fail`, `/log`,
/// `/start`, an exit status). The check, a ping key, a slug, the path and
/// `user:password@` are never shown.
public func redactedSpooledPingURL(_ url: String) -> String {
  let noQuery = url.prefix { $0 != "?" && $0 != "#" }
  guard let schemeEnd = noQuery.range(of: "://") else { return "…" }
  let scheme = noQuery[..<schemeEnd.upperBound]
  let rest = noQuery[schemeEnd.upperBound...]
  let rawAuthority = rest.prefix { $0 != "/" }
  var authority = rawAuthority
  if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
  let last = rest.dropFirst(rawAuthority.count).split(separator: "/").last.map(String.init) ?? ""
  let kinds: Set<String> = ["fail", "log", "start"]
  let suffix =
    kinds.contains(last)
      || (!last.isEmpty && last.count <= 3 && last.allSatisfy(\.isASCII)
        && last.allSatisfy(\.isNumber))
    ? "/" + last : ""
  return scheme + authority + "/…" + suffix
}

/// A base URL (HC_URL) as it may be shown: without `user:password@`.
public func redactedBaseURL(_ url: String) -> String {
  guard let schemeEnd = url.range(of: "://") else { return "…" }
  let rest = url[schemeEnd.upperBound...]
  let authority = rest.prefix { $0 != "/" }
  guard let at = authority.lastIndex(of: "@") else { return url }
  return url[..<schemeEnd.upperBound] + "…@" + rest[rest.index(after: at)...]
}
