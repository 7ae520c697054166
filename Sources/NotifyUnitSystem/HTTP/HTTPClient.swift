import CCurl

/// One HTTP request and its answer, through libcurl: the one place curl's C
/// API is called. Proxies come from the usual environment variables
/// (`https_proxy`, `HTTPS_PROXY`, `no_proxy`, ...), which libcurl reads.
public struct HTTPRequest: Sendable {
  public var method = "POST"
  public var url: String
  public var body: [UInt8]
  public var contentType = "text/plain; charset=utf-8"
  public var timeout: Double
  public var userAgent: String
  /// More request headers ("X-Api-Key: …"), never logged.
  public var headers: [String] = []

  public init(url: String, body: [UInt8], timeout: Double, userAgent: String) {
    self.url = url
    self.body = body
    self.timeout = timeout
    self.userAgent = userAgent
  }
}

public struct HTTPResponse: Sendable {
  public var status: Int
  /// Header names lower-cased; only the last value of a repeated header.
  public var headers: [String: String]
  /// The first 4 KiB of the body: enough for an error message.
  public var body: [UInt8]
}

/// A request that got no HTTP answer.
public struct HTTPTransportError: Error, Sendable, CustomStringConvertible {
  public var code: Int
  public var message: String
  /// Timeouts, refused or reset connections, DNS failures: worth a retry.
  public var isRetriable: Bool
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
    guard let curl = nu_curl_easy_init() else {
      return .failure(
        HTTPTransportError(code: -1, message: "libcurl could not start", isRetriable: false))
    }
    defer { nu_curl_easy_cleanup(curl) }

    let collector = Collector()
    let box = Unmanaged.passRetained(collector)
    defer { box.release() }

    var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    var headers: UnsafeMutablePointer<curl_slist>? = nil
    headers = nu_curl_slist_append(headers, "Content-Type: \(request.contentType)")
    headers = nu_curl_slist_append(headers, "Expect:")  // no 100-continue round trip
    defer { nu_curl_slist_free_all(headers) }
    for header in request.headers {
      // A failed append returns NULL and leaves the list as it was.
      guard let longer = nu_curl_slist_append(headers, header) else {
        return .failure(
          HTTPTransportError(
            code: -1, message: "libcurl could not add a request header", isRetriable: false))
      }
      headers = longer
    }

    let millis = max(1, Int(request.timeout * 1000))
    let code: CURLcode = errorBuffer.withUnsafeMutableBufferPointer { errors in
      _ = nu_curl_setopt_long(curl, CURLOPT_NOSIGNAL, 1)
      _ = nu_curl_setopt_string(curl, CURLOPT_URL, request.url)
      _ = nu_curl_setopt_string(curl, CURLOPT_PROTOCOLS_STR, "http,https")
      _ = nu_curl_setopt_long(curl, CURLOPT_FOLLOWLOCATION, 0)
      _ = nu_curl_setopt_long(curl, CURLOPT_TIMEOUT_MS, millis)
      _ = nu_curl_setopt_long(curl, CURLOPT_CONNECTTIMEOUT_MS, millis)
      _ = nu_curl_setopt_string(curl, CURLOPT_USERAGENT, request.userAgent)
      _ = nu_curl_setopt_slist(curl, CURLOPT_HTTPHEADER, headers)
      _ = nu_curl_setopt_pointer(curl, CURLOPT_ERRORBUFFER, errors.baseAddress)
      if request.method == "POST" {
        _ = nu_curl_setopt_off(curl, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count))
        _ = request.body.withUnsafeBytes { raw in
          nu_curl_setopt_pointer(
            curl, CURLOPT_COPYPOSTFIELDS,
            UnsafeMutableRawPointer(mutating: raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!))
        }
      }
      _ = nu_curl_setopt_write_callback(curl, CURLOPT_WRITEFUNCTION, writeCallback)
      _ = nu_curl_setopt_pointer(curl, CURLOPT_WRITEDATA, box.toOpaque())
      _ = nu_curl_setopt_write_callback(curl, CURLOPT_HEADERFUNCTION, headerCallback)
      _ = nu_curl_setopt_pointer(curl, CURLOPT_HEADERDATA, box.toOpaque())
      return nu_curl_easy_perform(curl)
    }

    guard code == CURLE_OK else {
      let detail = errorBuffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
      let text = detail.isEmpty ? String(cString: nu_curl_easy_strerror(code)) : detail
      return .failure(
        HTTPTransportError(
          code: Int(code.rawValue), message: "\(text) (curl error \(code.rawValue))",
          isRetriable: retriableCodes.contains(code.rawValue)))
    }
    var status = 0
    _ = nu_curl_getinfo_long(curl, CURLINFO_RESPONSE_CODE, &status)
    return .success(HTTPResponse(status: status, headers: collector.headers, body: collector.body))
  }

  final class Collector {
    var headers: [String: String] = [:]
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
    let line = data.withMemoryRebound(to: UInt8.self, capacity: total) {
      String(decoding: UnsafeBufferPointer(start: $0, count: total), as: UTF8.self)
    }
    if line.hasPrefix("HTTP/") {
      collector.headers = [:]  // a new response (after a 100 or a proxy's 200)
    } else if let colon = line.firstIndex(of: ":") {
      let name = line[..<colon].lowercased()
      var value = line[line.index(after: colon)...]
      while value.first == " " || value.first == "\t" { value = value.dropFirst() }
      // "\r\n" is one Character in Swift: test for it, not just its parts.
      while let last = value.last, ["\r\n", "\r", "\n", " ", "\t"].contains(last) {
        value = value.dropLast()
      }
      collector.headers[name] = String(value)
    }
    return total
  }
}
