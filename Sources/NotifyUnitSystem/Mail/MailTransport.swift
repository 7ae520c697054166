import NotifyUnitCore

/// How a finished message leaves this host: sendmail, or SMTP to a relay.
/// Both raise `DeliveryError`: `.temporary` and `.timedOut` mean try again
/// later, `.failed` means a misconfiguration or a refusal.
public protocol MailTransport {
  /// What messages call it, with no secret in it.
  var name: String { get }
  /// Streams a message written by `write`.
  func send(deadline: Deadline, _ write: (ByteSink) throws -> Void) throws
  /// Sends the message stored in `path`, after `headers` (lines ending in
  /// "\n") put in front of it.
  func send(file path: String, headers: [UInt8], deadline: Deadline) throws
}

extension Sendmail: MailTransport {
  public var name: String { path }
}
