import CCurl
import NotifyUnitCore

#if canImport(Glibc)
  import Glibc
#endif

/// Submits a message over SMTP with libcurl, for units whose sandbox keeps
/// sendmail from working (see `SMTPRelay`). The envelope is explicit: MAIL
/// FROM is the sender, RCPT TO each configured recipient, as `sendmail -t`
/// would have taken them from the message.
public struct SMTPSubmission: MailTransport {
  public var relay: SMTPRelay
  public var sender: String
  public var recipients: [String]

  public init(relay: SMTPRelay, sender: String, recipients: [String]) {
    self.relay = relay
    self.sender = sender
    self.recipients = recipients
  }

  public var name: String { relay.redacted }

  /// SMTP pulls the message, so a streamed one goes through an unlinked
  /// temporary file first.
  public func send(deadline: Deadline, _ write: (ByteSink) throws -> Void) throws {
    let fd: Int32
    do {
      fd = try Host.unlinkedTemporaryFile(prefix: "notify-unit-mail")
    } catch {
      throw DeliveryError.temporary("\(error): the mail could not be prepared")
    }
    defer { close(fd) }
    let sink = FileDescriptorSink(fd: fd, deadline: nil, what: "a temporary file")
    try write(sink)
    try sink.flush()
    lseek(fd, 0, SEEK_SET)
    try send(fd: fd, headers: [], deadline: deadline)
  }

  public func send(file path: String, headers: [UInt8], deadline: Deadline) throws {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else {
      throw DeliveryError.failed("cannot read \(path): \(String(cString: strerror(errno)))")
    }
    defer { close(fd) }
    try send(fd: fd, headers: headers, deadline: deadline)
  }

  /// Submits what `fd` holds from its current offset on.
  func send(fd: Int32, headers: [UInt8], deadline: Deadline) throws {
    if let loadError = HTTPClient.loadError { throw DeliveryError.failed(loadError) }
    guard !recipients.isEmpty else { throw DeliveryError.failed("no recipient for SMTP") }
    // Everything libcurl is handed a pointer to lives until after the
    // handle is cleaned up (the defers run in reverse order).
    let errors = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
    errors.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    defer { errors.deallocate() }
    let source = MessageSource(headers: headers, fd: fd)
    let box = Unmanaged.passRetained(source)
    defer { box.release() }
    var rcpt: UnsafeMutablePointer<curl_slist>? = nil
    defer { nu_curl_slist_free_all(rcpt) }
    for address in recipients {
      guard let list = nu_curl_slist_append(rcpt, "<\(address)>") else {
        throw DeliveryError.temporary("libcurl is out of memory")
      }
      rcpt = list
    }
    guard let curl = nu_curl_easy_init() else {
      throw DeliveryError.failed("libcurl could not start")
    }
    defer { nu_curl_easy_cleanup(curl) }

    let millis = max(1, Int(deadline.remaining * 1000))
    let options = CurlOptions(curl: curl)
    do {
      try options.connect(to: relay, errors: errors, timeoutMilliseconds: millis)
      try options.set(CURLOPT_MAIL_FROM, "<\(sender)>", "CURLOPT_MAIL_FROM")
      try options.set(CURLOPT_MAIL_RCPT, list: rcpt, "CURLOPT_MAIL_RCPT")
      try options.set(CURLOPT_UPLOAD, 1, "CURLOPT_UPLOAD")
      try options.set(CURLOPT_READFUNCTION, read: Self.readCallback, "CURLOPT_READFUNCTION")
      try options.set(CURLOPT_READDATA, pointer: box.toOpaque(), "CURLOPT_READDATA")
    } catch {
      // Never sent without its protocol restriction or its envelope.
      throw DeliveryError.failed(relay.scrub(error.description))
    }
    let code = nu_curl_easy_perform(curl)
    if let error = source.error { throw DeliveryError.failed(error) }
    guard code == CURLE_OK else {
      var reply = 0
      // Without the reply code the error is judged by curl's code alone.
      if nu_curl_getinfo_long(curl, CURLINFO_RESPONSE_CODE, &reply) != CURLE_OK { reply = 0 }
      let detail = String(cString: errors)
      let text = relay.scrub(detail.isEmpty ? String(cString: nu_curl_easy_strerror(code)) : detail)
      let message =
        "the SMTP relay \(relay.redacted) did not take the mail: \(text)"
        + (reply > 0 ? " (reply \(reply))" : "") + " (curl error \(code.rawValue))"
      // A 5xx reply is a refusal; a 4xx reply, a timeout or no connection
      // may pass.
      if code == CURLE_USE_SSL_FAILED {
        throw DeliveryError.failed(
          message
            + ": SMTP_URL holds credentials, which notify-unit sends to another host only over TLS (use smtps://, or a relay that offers STARTTLS)"
        )
      }
      if (500..<600).contains(reply) || code == CURLE_LOGIN_DENIED
        || code == CURLE_UNSUPPORTED_PROTOCOL || code == CURLE_URL_MALFORMAT
      {
        throw DeliveryError.failed(message)
      }
      if code == CURLE_OPERATION_TIMEDOUT { throw DeliveryError.timedOut(message) }
      throw DeliveryError.temporary(message)
    }
  }

  /// Feeds libcurl the headers, then the file, with every bare "\n" made
  /// "\r\n": SMTP's line end. libcurl then doubles a leading "." itself.
  final class MessageSource {
    var pending: [UInt8] = []
    var offset = 0
    let fd: Int32
    var lastWasCR = false
    var done = false
    var error: String? = nil

    init(headers: [UInt8], fd: Int32) {
      self.fd = fd
      pending = crlf(headers)
    }

    func crlf(_ bytes: some Sequence<UInt8>) -> [UInt8] {
      var out: [UInt8] = []
      for byte in bytes {
        if byte == UInt8(ascii: "\n") && !lastWasCR { out.append(UInt8(ascii: "\r")) }
        out.append(byte)
        lastWasCR = byte == UInt8(ascii: "\r")
      }
      return out
    }

    /// Up to `capacity` bytes into `buffer`; 0 at the end.
    func read(into buffer: UnsafeMutablePointer<UInt8>, capacity: Int) -> Int {
      while offset == pending.count && !done {
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        let n = Glibc.read(fd, &chunk, chunk.count)
        if n < 0 && errno == EINTR { continue }
        if n < 0 {
          error = "cannot read the mail: \(String(cString: strerror(errno)))"
          return -1
        }
        if n == 0 {
          done = true
        } else {
          pending = crlf(chunk[..<n])
          offset = 0
        }
      }
      let count = min(capacity, pending.count - offset)
      pending.withUnsafeBufferPointer {
        buffer.update(from: $0.baseAddress! + offset, count: count)
      }
      offset += count
      return count
    }
  }

  private static let readCallback: curl_read_callback = { buffer, size, count, context in
    guard let buffer, let context else { return 0 }
    let source = Unmanaged<MessageSource>.fromOpaque(context).takeUnretainedValue()
    let n = buffer.withMemoryRebound(to: UInt8.self, capacity: size * count) {
      source.read(into: $0, capacity: size * count)
    }
    return n < 0 ? Int(CURL_READFUNC_ABORT) : n
  }
}

extension CurlOptions {
  /// What every connection to the SMTP relay sets, submission and probe
  /// alike: the error buffer first (so later failures fill it), no
  /// signals, the URL, SMTP only, and the time limit.
  func connect(
    to relay: SMTPRelay, errors: UnsafeMutablePointer<CChar>, timeoutMilliseconds millis: Int
  ) throws(Refused) {
    try set(CURLOPT_ERRORBUFFER, pointer: errors, "CURLOPT_ERRORBUFFER")
    try set(CURLOPT_NOSIGNAL, 1, "CURLOPT_NOSIGNAL")
    try set(CURLOPT_URL, relay.url, "CURLOPT_URL")
    try restrictProtocols("smtp,smtps", mask: Int(CURLPROTO_SMTP) | Int(CURLPROTO_SMTPS))
    try set(CURLOPT_TIMEOUT_MS, millis, "CURLOPT_TIMEOUT_MS")
    try set(CURLOPT_CONNECTTIMEOUT_MS, millis, "CURLOPT_CONNECTTIMEOUT_MS")
    // A password never crosses the network in clear: STARTTLS or nothing.
    if relay.requiresSTARTTLS {
      try set(CURLOPT_USE_SSL, Int(CURLUSESSL_ALL.rawValue), "CURLOPT_USE_SSL")
    }
  }
}
