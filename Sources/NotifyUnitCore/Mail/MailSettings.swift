/// What the mail looks like and how large it may get. The defaults keep a
/// report far below common MTA limits (Debian's exim refuses 50 MB).
public struct MailSettings: Sendable, Equatable {
  public var recipients: [MailAddress]
  public var sender: MailAddress
  /// Lines of the log shown in the body (the tail).
  public var bodyMaxLines: Int
  /// Bytes of the log shown in the body.
  public var bodyMaxBytes: Int
  /// Bytes of the exact log attached when the body cannot show all of it;
  /// a longer log is attached from its end, with a note at the top.
  public var attachmentMaxBytes: Int

  public static let defaultBodyMaxLines = 200
  public static let defaultBodyMaxBytes = 64 * 1024
  public static let defaultAttachmentMaxBytes = 10 * 1024 * 1024

  public init(
    recipients: [MailAddress], sender: MailAddress,
    bodyMaxLines: Int = defaultBodyMaxLines, bodyMaxBytes: Int = defaultBodyMaxBytes,
    attachmentMaxBytes: Int = defaultAttachmentMaxBytes
  ) {
    self.recipients = recipients
    self.sender = sender
    self.bodyMaxLines = bodyMaxLines
    self.bodyMaxBytes = bodyMaxBytes
    self.attachmentMaxBytes = attachmentMaxBytes
  }
}
