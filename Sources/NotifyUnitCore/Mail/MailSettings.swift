/// What the mail looks like and how large it may get. The defaults keep a
/// report far below common MTA limits (Debian's exim refuses 50 MB).
public struct MailSettings: Sendable, Equatable {
  public var recipients: [MailAddress]
  public var sender: MailAddress
  /// Lines of the log shown in the body (the tail).
  public var bodyMaxLines: Int
  /// Bytes of the log shown in the body.
  public var bodyMaxBytes: Int
  /// Bytes of the attachment when the body cannot show all of the log:
  /// of the exact log, or of its gzip when it is compressed (see
  /// `compressAboveBytes`); a longer log is attached from its end, with a
  /// note at the top.
  public var attachmentMaxBytes: Int

  /// A log attached whole or in part is gzip-compressed when the exact log
  /// is over this many bytes (and a compressor is at hand): below it, a
  /// plain attachment anyone can read costs little.
  public var compressAboveBytes = defaultCompressAboveBytes

  public static let defaultCompressAboveBytes = 64 * 1024
  /// A compressed attachment holds at most this many times its limit of
  /// the exact log: journal text compresses 5-15 times, and the log is kept
  /// in temporary files of up to this size (twice) while it is read.
  public static let rawBytesPerAttachedByte = 4

  /// How much of the exact log to keep while reading it, for an attachment
  /// of at most `attachmentMaxBytes`.
  public static func logBytesKept(attachmentMaxBytes: Int) -> Int {
    attachmentMaxBytes * rawBytesPerAttachedByte
  }

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
