/// The mail `notify-unit test` sends: marked as a test in its Subject and in
/// an `X-Notify-Unit-Test` header, so that nobody takes it for a report,
/// and built like a report (encoded headers, Auto-Submitted) so that it
/// takes the same way through the MTA.
public struct TestMail: Sendable {
  public var sender: MailAddress
  public var recipients: [MailAddress]
  public var host: String
  /// Microseconds since the epoch.
  public var time: UInt64
  /// Random hex for the Message-ID.
  public var nonce: String
  /// How it is sent ("/usr/sbin/sendmail", "smtp://127.0.0.1"), for its text.
  public var transport: String

  public init(
    sender: MailAddress, recipients: [MailAddress], host: String, time: UInt64, nonce: String,
    transport: String
  ) {
    self.sender = sender
    self.recipients = recipients
    self.host = host
    self.time = time
    self.nonce = nonce
    self.transport = transport
  }

  public var subject: String {
    "[TEST] notify-unit test mail from \(host.sanitizedForDisplay(maxLength: 100))"
  }

  public var messageID: String {
    "<\(time).\(nonce).test.notify-unit@\(HeaderEncoding.token(host))>"
  }

  /// The whole message, lines ending in "\n" (sendmail's convention; the
  /// SMTP transport makes them CRLF).
  public var bytes: [UInt8] {
    let subjectValue =
      HeaderEncoding.isPlainASCII(subject) && subject.utf8.count <= 68
      ? subject : HeaderEncoding.encodedWords(subject)
    let shownHost = host.sanitizedForDisplay(maxLength: 100)
    let body = """
      This is a test mail from notify-unit on \(shownHost), sent by `notify-unit test`.

      Nothing ran and nothing failed. It went through \(transport.sanitizedForDisplay(maxLength: 200)),
      the way this host's unit reports are mailed: if you read it, they reach you.

      """
    let headers = [
      "From: \(sender.headerValue)",
      "To: \(recipients.map(\.headerValue).joined(separator: ",\n "))",
      "Subject: \(subjectValue)",
      "Date: \(HeaderEncoding.date(time))",
      "Message-ID: \(messageID)",
      "Auto-Submitted: auto-generated",
      "X-Notify-Unit-Test: yes",
      "MIME-Version: 1.0",
      "Content-Type: text/plain; charset=UTF-8",
      "Content-Transfer-Encoding: quoted-printable",
    ]
    return Array((headers.joined(separator: "\n") + "\n\n").utf8)
      + QuotedPrintable.encode(Array(body.utf8))
  }
}
