/// What the attachment holds: the log's last `tailBytes` (from a line's
/// start), after a note saying what was left out when it is not the whole
/// log; compressed or not. Decided before the text is written, which says
/// whether the whole log is attached.
public struct AttachmentPlan: Sendable, Equatable {
  public var compressed: Bool
  /// The note "this log has N bytes, over the attachment limit ..." first.
  public var note: Bool
  /// At most this many bytes of the log's end.
  public var tailBytes: Int
  /// The whole exact log, no note.
  public var isWhole: Bool
  /// The gzip itself, in the pieces it was made in (never copied into one
  /// array that grows), when measuring it made it (at most the limit): the
  /// mail then carries these bytes instead of compressing the log again.
  public var gzip: [[UInt8]]? = nil

  public init(compressed: Bool, note: Bool, tailBytes: Int, isWhole: Bool) {
    self.compressed = compressed
    self.note = note
    self.tailBytes = tailBytes
    self.isWhole = isWhole
  }
}

extension MailComposer {
  /// The plan for `archive` under `attachmentMaxBytes`. Plain: the limit
  /// counts the note and the log's end, as attached. Compressed (a log over
  /// `compressAboveBytes`): the limit counts the gzip, so the log's end that
  /// fits is found by compressing it (streamed, nothing kept) and, when
  /// over, trying a shorter end in proportion.
  public func attachmentPlan(archive: LogArchive) throws -> AttachmentPlan {
    let cap = settings.attachmentMaxBytes
    let total = archive.totalBytes
    let note = attachmentNote(totalBytes: total, compressed: compressor != nil)
    guard let compressor, total > settings.compressAboveBytes, cap >= Self.smallestGzipCap else {
      if total <= cap {
        return AttachmentPlan(compressed: false, note: false, tailBytes: total, isWhole: true)
      }
      let withNote = note.count < cap
      return AttachmentPlan(
        compressed: false, note: withNote, tailBytes: cap - (withNote ? note.count : 0),
        isWhole: false)
    }
    var raw = min(total, MailSettings.logBytesKept(attachmentMaxBytes: cap))
    // The whole log's gzip, when the archive made it while the log was
    // read: the first attempt's measure, and the bytes to mail.
    let whole = raw >= total ? try archive.compressedWhole() : nil
    // deflate grows no input by more than about 0.03 % and a few bytes
    // (zlib's deflateBound): a log that fits so needs no measuring.
    if whole == nil, total + total / 1000 + 64 <= cap {
      return AttachmentPlan(compressed: true, note: false, tailBytes: total, isWhole: true)
    }
    for attempt in 0..<12 {
      let plan =
        raw >= total
        ? AttachmentPlan(compressed: true, note: false, tailBytes: total, isWhole: true)
        : AttachmentPlan(
          compressed: true, note: note.count < raw, tailBytes: max(0, raw - note.count),
          isWhole: false)
      let (size, gzip) =
        if attempt == 0, let whole {
          (whole.size, whole.size <= cap ? whole.pieces : nil)
        } else {
          try compressed(plan, archive: archive, compressor: compressor, keep: cap)
        }
      if size <= cap {
        var measured = plan
        measured.gzip = gzip
        return measured
      }
      // In proportion, with a margin; halving once that stalls.
      let scaled = Int(Double(raw) * Double(cap) / Double(size) * 0.95)
      raw = attempt < 4 ? min(scaled, raw - 1) : raw / 2
      if raw <= 0 { break }
    }
    return AttachmentPlan(compressed: true, note: false, tailBytes: 0, isWhole: false)
  }

  /// Below this limit even an empty gzip file (about 20 bytes) hardly
  /// fits: such a limit is applied to the plain log.
  static let smallestGzipCap = 64

  /// The line at the top of a log attached from its end.
  func attachmentNote(totalBytes: Int, compressed: Bool) -> [UInt8] {
    let limit = "\(settings.attachmentMaxBytes)\(compressed ? " bytes compressed" : "")"
    return Array(
      "[notify-unit: this log has \(totalBytes) bytes, over the attachment limit of \(limit): only its end is attached, from the first whole line]\n"
        .utf8)
  }

  /// The attachment's content, uncompressed, in chunks.
  func attachmentContent(
    _ plan: AttachmentPlan, archive: LogArchive, _ body: ([UInt8]) throws -> Void
  ) throws {
    if plan.note {
      try body(attachmentNote(totalBytes: archive.totalBytes, compressed: plan.compressed))
    }
    if plan.tailBytes > 0 { _ = try archive.readTail(maxBytes: plan.tailBytes, body) }
  }

  /// The plan's gzip size, and the gzip itself while it is at most `keep`
  /// bytes (nil once over: nothing larger is held in memory).
  func compressed(
    _ plan: AttachmentPlan, archive: LogArchive, compressor: any LogCompressor, keep: Int
  ) throws -> (size: Int, gzip: [[UInt8]]?) {
    let stream = try compressor.makeStream()
    var size = 0
    var kept: [[UInt8]]? = []
    let collect = { (chunk: [UInt8]) in
      size += chunk.count
      if size <= keep { kept?.append(chunk) } else { kept = nil }
    }
    try attachmentContent(plan, archive: archive) { try stream.write($0, to: collect) }
    try stream.finish(to: collect)
    return (size, kept)
  }

  /// The attachment, base64 in lines, compressed when the plan says so.
  func writeAttachment(_ plan: AttachmentPlan, to sink: ByteSink, archive: LogArchive) throws {
    var encoder = Base64.LineEncoder()
    if let gzip = plan.gzip {
      for piece in gzip { try encoder.write(piece, to: sink) }
    } else if plan.compressed, let compressor {
      let stream = try compressor.makeStream()
      try attachmentContent(plan, archive: archive) { chunk in
        try stream.write(chunk) { try encoder.write($0, to: sink) }
      }
      try stream.finish { try encoder.write($0, to: sink) }
    } else {
      try attachmentContent(plan, archive: archive) { try encoder.write($0, to: sink) }
    }
    try encoder.finish(to: sink)
  }
}
