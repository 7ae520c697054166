/// How an HTTP answer that was not a success is told: "HTTP 503 " and the
/// start of its body on one line. Every credential the request carried (a
/// server may echo the Authorization header) and every secret `scrub`
/// knows is replaced first, on the whole body: a secret cut in two would
/// not match.
public enum HTTPFailureText {
  public static func line(
    status: Int, body: [UInt8], credentials: [String], scrub: (String) -> String = { $0 }
  ) -> String {
    let text = scrub(scrubbing(String(decoding: body, as: UTF8.self), credentials: credentials))
    return "HTTP \(status) " + text.sanitizedForDisplay(maxLength: 200)
  }

  /// `text` with each credential replaced by "…", the longest first (one
  /// may hold another).
  public static func scrubbing(_ text: String, credentials: [String]) -> String {
    var result = text
    for secret in credentials.sorted(by: { $0.utf8.count > $1.utf8.count }) {
      result = result.replacingAll(secret, with: "…")
    }
    return result
  }
}
