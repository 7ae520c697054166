/// A spooled ping's URL with nothing secret left: scheme, host and port,
/// then "…", then the ping's kind when it has one (`/fail`, `/log`,
/// `/start`, an exit status). The check, a ping key, a slug, the path and
/// `user:password@` are never shown.
public func redactedSpooledPingURL(_ url: String) -> String {
  let noQuery = url.prefix { $0 != "?" && $0 != "#" }
  guard let parts = URLAuthority.of(noQuery) else { return "…" }
  let last = parts.rest.split(separator: "/").last.map(String.init) ?? ""
  let kinds: Set<String> = ["fail", "log", "start"]
  let suffix =
    kinds.contains(last)
      || (!last.isEmpty && last.count <= 3 && last.allSatisfy(\.isASCII)
        && last.allSatisfy(\.isNumber))
    ? "/" + last : ""
  return parts.shownRoot + "/…" + suffix
}

/// A base URL (HC_URL) as it may be shown: without `user:password@`.
public func redactedBaseURL(_ url: String) -> String {
  guard let parts = URLAuthority.of(url) else { return "…" }
  guard parts.userinfo != nil else { return url }
  return parts.scheme + "…@" + parts.hostAndPort + parts.rest
}
