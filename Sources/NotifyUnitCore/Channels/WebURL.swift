/// An http(s) URL that is itself a secret: an ntfy topic (anyone who knows
/// it can read and post) or a chat webhook (its path is the token). Only
/// `shown` ever appears in a message: the scheme and host.
public struct WebURL: Sendable, Equatable, CustomStringConvertible {
  public let url: String
  /// "https://ntfy.example.org/…": what messages may show.
  public let shown: String
  public let path: String

  /// `key` names the setting in the error.
  public init(parsing value: String, key: String) throws(ConfigurationError) {
    let text = value.trimmingASCIIWhitespace
    guard let parts = PingTarget.split(text), !parts.path.isEmpty, parts.path != "/",
      !text.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F })
    else {
      throw .invalid(
        "\(key) must be an http:// or https:// URL with a path, such as https://ntfy.sh/TOPIC\(URLAuthority.why(text))"
      )
    }
    if let refusal = URLAuthority.of(text)?.cleartextRefusal {
      throw .invalid("\(key) \(parts.shownRoot)/… cannot be used: \(refusal)")
    }
    url = text
    shown = parts.shownRoot + "/…"
    path = parts.path
  }

  /// Replaces the URL, its path and any user:password in `text` by `shown`.
  public func scrub(_ text: String) -> String {
    var result = text
    for secret in [url, path] where secret.count > 1 {
      while let range = result.range(of: secret) {
        result.replaceSubrange(range, with: secret == url ? shown : "/…")
      }
    }
    return result
  }

  public var description: String { shown }
}
