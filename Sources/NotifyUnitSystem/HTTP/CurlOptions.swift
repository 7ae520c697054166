import CCurl

/// Setting a curl easy handle's options, every result checked: an option
/// libcurl refuses (an old libcurl, a build without a protocol) fails the
/// request with its name instead of running it with the option off.
struct CurlOptions {
  let curl: UnsafeMutableRawPointer

  /// The first option libcurl refused.
  struct Refused: Error, CustomStringConvertible {
    var option: String
    var code: CURLcode
    var description: String {
      "libcurl refused \(option): \(String(cString: nu_curl_easy_strerror(code))) (curl error \(code.rawValue))"
    }
  }

  func check(_ code: CURLcode, _ option: String) throws(Refused) {
    guard code == CURLE_OK else { throw Refused(option: option, code: code) }
  }

  func set(_ option: CURLoption, _ value: Int, _ name: String) throws(Refused) {
    try check(nu_curl_setopt_long(curl, option, value), name)
  }

  func set(_ option: CURLoption, _ value: String, _ name: String) throws(Refused) {
    // libcurl copies strings given to curl_easy_setopt (since 7.17).
    try check(nu_curl_setopt_string(curl, option, value), name)
  }

  func set(_ option: CURLoption, offset value: curl_off_t, _ name: String) throws(Refused) {
    try check(nu_curl_setopt_off(curl, option, value), name)
  }

  /// A pointer libcurl keeps: it must stay valid until the handle is
  /// cleaned up.
  func set(_ option: CURLoption, pointer value: UnsafeMutableRawPointer?, _ name: String)
    throws(Refused)
  {
    try check(nu_curl_setopt_pointer(curl, option, value), name)
  }

  func set(_ option: CURLoption, list: UnsafeMutablePointer<curl_slist>?, _ name: String)
    throws(Refused)
  {
    try check(nu_curl_setopt_slist(curl, option, list), name)
  }

  func set(_ option: CURLoption, write callback: curl_write_callback, _ name: String)
    throws(Refused)
  {
    try check(nu_curl_setopt_write_callback(curl, option, callback), name)
  }

  func set(_ option: CURLoption, read callback: curl_read_callback, _ name: String)
    throws(Refused)
  {
    try check(nu_curl_setopt_read_callback(curl, option, callback), name)
  }

  /// Only these protocols, for the URL and (though redirects are off) any
  /// redirect: CURLOPT_PROTOCOLS_STR (libcurl 7.85 and later), else the
  /// older CURLOPT_PROTOCOLS bit mask (Ubuntu 22.04's 7.81); never no
  /// restriction.
  func restrictProtocols(_ names: String, mask: Int) throws(Refused) {
    let code = nu_curl_setopt_string(curl, CURLOPT_PROTOCOLS_STR, names)
    guard code == CURLE_UNKNOWN_OPTION else {
      return try check(code, "CURLOPT_PROTOCOLS_STR \(names)")
    }
    // CURLOPT_PROTOCOLS is 181 (a long option); named by number, since its
    // name is deprecated in the headers this builds with.
    try check(
      nu_curl_setopt_long(curl, CURLoption(rawValue: 181), mask), "CURLOPT_PROTOCOLS \(names)")
  }
}
