/// Healthchecks' Management API v3, where a check's settings are changed:
/// `POST BASE/checks/<uuid>` with the project's key in `X-Api-Key`.
public enum ManagementAPI {
  /// The API base: HC_API_URL when set; else HC_URL's: the hosted ping
  /// host's API, or a self-hosted "…/ping" as "…/api/v3".
  public static func baseURL(configured: String?, hcURL: String) throws(ScheduleSyncError)
    -> String
  {
    if let configured { return configured.trimmingSlashes }
    let ping = hcURL.trimmingASCIIWhitespace.trimmingSlashes
    if ping == PingTarget.defaultBaseURL { return "https://healthchecks.io/api/v3" }
    if ping.hasSuffix("/ping") { return String(ping.dropLast(5)) + "/api/v3" }
    throw ScheduleSyncError(
      "cannot tell the Management API's URL from HC_URL \(redactedBaseURL(ping).sanitizedForDisplay(maxLength: 80)) (it does not end in /ping): set HC_API_URL, e.g. https://hc.example.com/api/v3"
    )
  }

  /// The check's URL under `base`.
  public static func checkURL(base: String, uuid: String) -> String {
    base + "/checks/" + uuid.lowercased()
  }

  /// One line for a refusal: the status, what it means, the server's own
  /// message (its `error` field, else its text), with `secrets` masked.
  public static func refusal(status: Int, body: String, secrets: [String]) -> String {
    let meaning: String
    switch status {
    case 401: meaning = "the API key is wrong or missing: check HC_API_KEY_FILE"
    case 403: meaning = "the API key may not change this check (a read-only key?)"
    case 404: meaning = "no such check in the API key's project"
    case 400: meaning = "the server refused the schedule"
    default: meaning = "the server refused the change"
    }
    let message = scrub(
      (errorField(body) ?? body).sanitizedForDisplay(maxLength: 200), secrets)
    return "HTTP \(status): \(meaning)" + (message.isEmpty ? "" : " (\(message))")
  }

  /// The `"error"` message of an API answer, when it is one.
  static func errorField(_ body: String) -> String? {
    if case .string(let message)? = FlatJSON.parse(Array(body.utf8))?["error"] { return message }
    return nil
  }

  /// `text` with each secret (a check's UUID, the API key) masked.
  public static func scrub(_ text: String, _ secrets: [String]) -> String {
    var result = text
    for secret in secrets where secret.utf8.count >= 4 {
      result = result.replacingAll(secret, with: String(secret.prefix(4)) + "…")
    }
    return result
  }
}
