import CCurl
import NotifyUnitCore

/// One HTTP request and its answer, through libcurl: the one place curl's C
/// API is called. Proxies come from the usual environment variables
/// (`https_proxy`, `HTTPS_PROXY`, `no_proxy`, ...), which libcurl reads.
public struct HTTPRequest: Sendable {
  public var method = "POST"
  public var url: String
  public var body: [UInt8]
  public var contentType = "text/plain; charset=utf-8"
  /// More request headers, by name; a value with a line break is refused
  /// (it could add a header of its own).
  public var headers: [(name: String, value: String)] = []
  public var timeout: Double
  public var userAgent: String

  public init(url: String, body: [UInt8], timeout: Double, userAgent: String) {
    self.url = url
    self.body = body
    self.timeout = timeout
    self.userAgent = userAgent
  }

  /// The credentials it carries: its URL's user:password and the values of
  /// its credential headers, whole and without their scheme ("Bearer").
  public var credentials: [String] {
    let named: Set<String> = ["authorization", "proxy-authorization", "x-api-key"]
    let values = headers.filter { named.contains($0.name.lowercased()) }.flatMap { header in
      let value = header.value.trimmingASCIIWhitespace
      let token = value.drop { $0 != " " }.trimmingASCIIWhitespace
      return token.isEmpty ? [value] : [value, token]
    }
    return ((URLAuthority.of(url)?.secrets ?? []) + values).filter { $0.utf8.count >= 4 }
  }

  /// `text` (an error, an answer's body) with every credential it echoes
  /// replaced by "…": a server may echo the Authorization header.
  public func scrubbingCredentials(_ text: String) -> String {
    HTTPFailureText.scrubbing(text, credentials: credentials)
  }
}

public struct HTTPResponse: Sendable {
  public var status: Int
  public var headers: HTTPResponseHeaders
  /// The first 4 KiB of the body: enough for an error message.
  public var body: [UInt8]
}

/// A request that got no HTTP answer.
public struct HTTPTransportError: Error, Sendable, CustomStringConvertible {
  public var code: Int
  public var message: String
  /// Timeouts, refused or reset connections, DNS failures: worth a retry.
  public var isRetriable: Bool
  /// Refused before sending, for good (no try will change it).
  public var isRefusal = false
  public var description: String { message }
}

public enum HTTPClient {
  /// nil once libcurl is loaded and initialised, else why not.
  static let loadError: String? = {
    guard nu_curl_load() == 0 else {
      return "cannot load libcurl (install libcurl4): \(String(cString: nu_curl_error()))"
    }
    // Once, before any handle; not thread-safe in older libcurl.
    guard nu_curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK else {
      return "libcurl could not initialise"
    }
    return nil
  }()

  /// Errors where the request may succeed if tried again.
  static let retriableCodes: Set<UInt32> = [
    CURLE_COULDNT_RESOLVE_PROXY.rawValue, CURLE_COULDNT_RESOLVE_HOST.rawValue,
    CURLE_COULDNT_CONNECT.rawValue, CURLE_OPERATION_TIMEDOUT.rawValue,
    CURLE_SSL_CONNECT_ERROR.rawValue, CURLE_GOT_NOTHING.rawValue,
    CURLE_SEND_ERROR.rawValue, CURLE_RECV_ERROR.rawValue, CURLE_PARTIAL_FILE.rawValue,
    CURLE_HTTP2.rawValue, CURLE_HTTP2_STREAM.rawValue,
  ]

  public static func perform(_ request: HTTPRequest) -> Result<HTTPResponse, HTTPTransportError> {
    if let loadError {
      return .failure(HTTPTransportError(code: -1, message: loadError, isRetriable: false))
    }
    // Everything libcurl is handed a pointer to lives until after the
    // handle is cleaned up (the defers run in reverse order).
    let errors = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
    errors.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    defer { errors.deallocate() }
    // POSTFIELDS, not COPYPOSTFIELDS: the body stays here, alive, for the
    // whole transfer; one byte at least, so never a dummy pointer.
    let body = UnsafeMutableRawBufferPointer.allocate(
      byteCount: max(1, request.body.count), alignment: 1)
    defer { body.deallocate() }
    body.copyBytes(from: request.body)
    let collector = Collector()
    let box = Unmanaged.passRetained(collector)
    defer { box.release() }
    // Last line of defence: every request carries a secret (a check, a
    // topic, a token), which plain http:// would show to the network.
    if let refusal = URLAuthority.of(request.url)?.cleartextRefusal {
      return .failure(
        HTTPTransportError(
          code: -1, message: "not sent: \(refusal)", isRetriable: false, isRefusal: true))
    }
    var headers: UnsafeMutablePointer<curl_slist>? = nil
    // A header value with a line break could add a header of its own.
    if let bad = request.headers.first(where: { header in
      (header.name + header.value).unicodeScalars.contains { $0.value < 0x20 }
    }) {
      return .failure(
        HTTPTransportError(
          code: -1, message: "the \(bad.name) header holds a control character",
          isRetriable: false))
    }
    // Expect: no 100-continue round trip.
    let lines =
      ["Content-Type: \(request.contentType)", "Expect:"]
      + request.headers.map { "\($0.name): \($0.value)" }
    for line in lines {
      guard let list = nu_curl_slist_append(headers, line) else {
        nu_curl_slist_free_all(headers)
        return .failure(
          HTTPTransportError(code: -1, message: "libcurl is out of memory", isRetriable: false))
      }
      headers = list
    }
    defer { nu_curl_slist_free_all(headers) }

    guard let curl = nu_curl_easy_init() else {
      return .failure(
        HTTPTransportError(code: -1, message: "libcurl could not start", isRetriable: false))
    }
    defer { nu_curl_easy_cleanup(curl) }

    let millis = max(1, Int(request.timeout * 1000))
    let options = CurlOptions(curl: curl)
    do {
      // The error buffer first, so that later failures fill it.
      try options.set(CURLOPT_ERRORBUFFER, pointer: errors, "CURLOPT_ERRORBUFFER")
      try options.set(CURLOPT_NOSIGNAL, 1, "CURLOPT_NOSIGNAL")
      try options.set(CURLOPT_URL, request.url, "CURLOPT_URL")
      try options.restrictProtocols(
        "http,https", mask: Int(CURLPROTO_HTTP) | Int(CURLPROTO_HTTPS))
      try options.set(CURLOPT_FOLLOWLOCATION, 0, "CURLOPT_FOLLOWLOCATION")
      try options.set(CURLOPT_TIMEOUT_MS, millis, "CURLOPT_TIMEOUT_MS")
      try options.set(CURLOPT_CONNECTTIMEOUT_MS, millis, "CURLOPT_CONNECTTIMEOUT_MS")
      try options.set(CURLOPT_USERAGENT, request.userAgent, "CURLOPT_USERAGENT")
      try options.set(CURLOPT_HTTPHEADER, list: headers, "CURLOPT_HTTPHEADER")
      if request.method == "POST" {
        try options.set(
          CURLOPT_POSTFIELDSIZE_LARGE, offset: curl_off_t(request.body.count),
          "CURLOPT_POSTFIELDSIZE_LARGE")
        try options.set(CURLOPT_POSTFIELDS, pointer: body.baseAddress, "CURLOPT_POSTFIELDS")
      }
      try options.set(CURLOPT_WRITEFUNCTION, write: writeCallback, "CURLOPT_WRITEFUNCTION")
      try options.set(CURLOPT_WRITEDATA, pointer: box.toOpaque(), "CURLOPT_WRITEDATA")
      try options.set(CURLOPT_HEADERFUNCTION, write: headerCallback, "CURLOPT_HEADERFUNCTION")
      try options.set(CURLOPT_HEADERDATA, pointer: box.toOpaque(), "CURLOPT_HEADERDATA")
    } catch {
      return .failure(
        HTTPTransportError(
          code: Int(error.code.rawValue), message: error.description, isRetriable: false))
    }
    let code = nu_curl_easy_perform(curl)

    guard code == CURLE_OK else {
      let detail = String(cString: errors)
      let text = detail.isEmpty ? String(cString: nu_curl_easy_strerror(code)) : detail
      return .failure(
        HTTPTransportError(
          code: Int(code.rawValue), message: "\(text) (curl error \(code.rawValue))",
          isRetriable: retriableCodes.contains(code.rawValue)))
    }
    var status = 0
    let info = nu_curl_getinfo_long(curl, CURLINFO_RESPONSE_CODE, &status)
    guard info == CURLE_OK else {
      return .failure(
        HTTPTransportError(
          code: Int(info.rawValue),
          message: "libcurl could not tell the HTTP status (curl error \(info.rawValue))",
          isRetriable: false))
    }
    return .success(HTTPResponse(status: status, headers: collector.headers, body: collector.body))
  }

  final class Collector {
    var headers = HTTPResponseHeaders()
    var body: [UInt8] = []
  }

  private static let writeCallback: curl_write_callback = { data, size, count, context in
    let total = size * count
    guard let data, let context else { return total }
    let collector = Unmanaged<Collector>.fromOpaque(context).takeUnretainedValue()
    let room = max(0, 4096 - collector.body.count)
    if room > 0 {
      data.withMemoryRebound(to: UInt8.self, capacity: total) {
        collector.body += UnsafeBufferPointer(start: $0, count: min(room, total))
      }
    }
    return total
  }

  private static let headerCallback: curl_write_callback = { data, size, count, context in
    let total = size * count
    guard let data, let context else { return total }
    let collector = Unmanaged<Collector>.fromOpaque(context).takeUnretainedValue()
    data.withMemoryRebound(to: UInt8.self, capacity: total) {
      collector.headers.take(line: UnsafeBufferPointer(start: $0, count: total))
    }
    return total
  }
}
