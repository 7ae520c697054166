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
    guard let curl = nu_curl_easy_init() else {
      return .failure(.failed("libcurl could not start"))
    }
    defer { nu_curl_easy_cleanup(curl) }
    var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    let millis = max(1, Int(timeout * 1000))
    let outcome: Result<Int, DeliveryError> = errorBuffer.withUnsafeMutableBufferPointer { errors in
      func set(_ code: CURLcode, _ option: String) -> DeliveryError? {
        code == CURLE_OK
          ? nil
          : .failed(
            "libcurl refused \(option): \(String(cString: nu_curl_easy_strerror(code))) (curl error \(code.rawValue))"
          )
      }
      // The error buffer first, so that every later failure fills it.
      if let e = set(
        nu_curl_setopt_pointer(curl, CURLOPT_ERRORBUFFER, errors.baseAddress), "CURLOPT_ERRORBUFFER"
      ) {
        return .failure(e)
      }
      let options: [(CURLcode, String)] = [
        (nu_curl_setopt_long(curl, CURLOPT_NOSIGNAL, 1), "CURLOPT_NOSIGNAL"),
        (nu_curl_setopt_string(curl, CURLOPT_URL, relay.url), "CURLOPT_URL"),
        (restrictToSMTP(curl), "the smtp/smtps protocol restriction"),
        (nu_curl_setopt_long(curl, CURLOPT_TIMEOUT_MS, millis), "CURLOPT_TIMEOUT_MS"),
        (nu_curl_setopt_long(curl, CURLOPT_CONNECTTIMEOUT_MS, millis), "CURLOPT_CONNECTTIMEOUT_MS"),
        (nu_curl_setopt_long(curl, CURLOPT_CONNECT_ONLY, 1), "CURLOPT_CONNECT_ONLY"),
      ]
      for (code, option) in options {
        if let e = set(code, option) { return .failure(e) }
      }
      let code = nu_curl_easy_perform(curl)
      var reply = 0
      let info = nu_curl_getinfo_long(curl, CURLINFO_RESPONSE_CODE, &reply)
      guard code == CURLE_OK else {
        let detail = String(cString: errors.baseAddress!)
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
    }
    return outcome.map { reply in Answer(reply: reply, authenticated: reply == 235) }
  }

  /// smtp and smtps only: CURLOPT_PROTOCOLS_STR (libcurl 7.85 and later),
  /// else the older CURLOPT_PROTOCOLS bit mask; never no restriction.
  static func restrictToSMTP(_ curl: UnsafeMutableRawPointer) -> CURLcode {
    let code = nu_curl_setopt_string(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps")
    guard code == CURLE_UNKNOWN_OPTION else { return code }
    // CURLOPT_PROTOCOLS is 181 (a long option); named by number, since its
    // name is deprecated in the headers this builds with.
    return nu_curl_setopt_long(
      curl, CURLoption(rawValue: 181), Int(CURLPROTO_SMTP) | Int(CURLPROTO_SMTPS))
  }
}
