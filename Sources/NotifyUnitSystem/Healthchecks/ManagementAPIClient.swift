import NotifyUnitCore

/// Changes a check through Healthchecks' Management API v3: one request,
/// no retries (it is run by hand). The API key travels only in the
/// `X-Api-Key` header; nothing it says shows the key or the check.
public enum ManagementAPIClient {
  public enum Result: Sendable, Equatable {
    case updated
    /// A 4xx: the one line says why (ManagementAPI.refusal).
    case refused(String)
    /// No answer, or a 5xx: worth another try later.
    case failed(String)
  }

  public static func update(
    checkURL: String, apiKey: String, schedule: CheckSchedule, timeout: Double,
    secrets: [String]
  ) -> Result {
    var request = HTTPRequest(
      url: checkURL, body: Array(schedule.json.utf8), timeout: timeout,
      userAgent: HealthchecksPinger.userAgent)
    request.contentType = "application/json"
    request.headers = [("X-Api-Key", apiKey)]
    let all = secrets + [apiKey]
    switch HTTPClient.perform(request) {
    case .failure(let error):
      return .failed(ManagementAPI.scrub(error.message, all))
    case .success(let response):
      if (200..<300).contains(response.status) { return .updated }
      let body = String(decoding: response.body, as: UTF8.self)
      let line = ManagementAPI.refusal(status: response.status, body: body, secrets: all)
      return (400..<500).contains(response.status) ? .refused(line) : .failed(line)
    }
  }
}
