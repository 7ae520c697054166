import CCurl
import NotifyUnitCore

/// Checks that an SMTP relay would take a report, without sending one:
/// libcurl's CURLOPT_CONNECT_ONLY on an smtp:// or smtps:// URL runs the
/// protocol's connect phase (TLS for smtps://, the greeting, EHLO, and
/// AUTH when the URL has credentials) and stops before MAIL FROM. The same
/// URL and protocols as `SMTPSubmission`; nothing it says holds a secret.
public enum SMTPProbe {
  public struct Answer: Sendable, Equatable {
    /// The relay's last reply code: 250 after EHLO, 235 after AUTH.
    public var reply: Int
    /// AUTH succeeded (credentials were given and accepted).
    public var authenticated: Bool
  }

  /// `timeout` bounds the whole probe, in seconds.
  public static func probe(_ relay: SMTPRelay, timeout: Double) -> Result<Answer, DeliveryError> {
    if let loadError = HTTPClient.loadError { return .failure(.failed(loadError)) }
    // The error buffer lives until after the handle is cleaned up.
    let errors = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
    errors.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    defer { errors.deallocate() }
    guard let curl = nu_curl_easy_init() else {
      return .failure(.failed("libcurl could not start"))
    }
    defer { nu_curl_easy_cleanup(curl) }
    let millis = max(1, Int(timeout * 1000))
    let options = CurlOptions(curl: curl)
    do {
      try options.connect(to: relay, errors: errors, timeoutMilliseconds: millis)
      try options.set(CURLOPT_CONNECT_ONLY, 1, "CURLOPT_CONNECT_ONLY")
    } catch {
      return .failure(.failed(relay.scrub(error.description)))
    }
    let outcome: Result<Int, DeliveryError> = {
      let code = nu_curl_easy_perform(curl)
      var reply = 0
      let info = nu_curl_getinfo_long(curl, CURLINFO_RESPONSE_CODE, &reply)
      guard code == CURLE_OK else {
        let detail = String(cString: errors)
        let text = relay.scrub(
          detail.isEmpty ? String(cString: nu_curl_easy_strerror(code)) : detail)
        let message =
          "\(relay.redacted): \(text)" + (info == CURLE_OK && reply > 0 ? " (reply \(reply))" : "")
          + " (curl error \(code.rawValue))"
        if code == CURLE_LOGIN_DENIED || (500..<600).contains(reply) {
          return .failure(.failed(message))
        }
        return .failure(code == CURLE_OPERATION_TIMEDOUT ? .timedOut(message) : .temporary(message))
      }
      guard info == CURLE_OK else {
        return .failure(
          .failed("libcurl could not tell the relay's reply (curl error \(info.rawValue))"))
      }
      return .success(reply)
    }()
    return outcome.map { reply in Answer(reply: reply, authenticated: reply == 235) }
  }
}
