import NotifyUnitCore

/// A `LogArchive` that also compresses the whole log while it is appended,
/// on a second thread (`BackgroundCompression`): the mail's attachment is
/// ready when the journal has been read instead of being deflated after.
/// It starts only once the log outgrows one batch (a shorter one is
/// compressed, if at all, while the mail is written), and gives up once the
/// log is longer than `wholeLimit`, the most of it an attachment may hold
/// (then only its end is compressed, from the archive, as before).
public final class CompressingLogArchive: LogArchive {
  private let archive: LogArchive
  private let compressor: any LogCompressor
  private let keep: Int
  private let wholeLimit: Int
  private var batch: [UInt8] = []
  private var background: BackgroundCompression? = nil
  /// Set once compressing stopped: gave up, failed, or finished.
  private var ended = false
  private var result: CompressedLog? = nil

  /// Handed over in batches of this size: a thread switch per 256 KiB is
  /// nothing, and the queue holds four of them at most.
  static let batchBytes = 1 << 18

  /// `keep`: the most compressed bytes held (the attachment's limit).
  public init(
    _ archive: LogArchive, compressor: any LogCompressor, keep: Int, wholeLimit: Int
  ) {
    self.archive = archive
    self.compressor = compressor
    self.keep = keep
    self.wholeLimit = wholeLimit
  }

  public var totalBytes: Int { archive.totalBytes }

  public func append(_ lines: [UInt8]) throws {
    try archive.append(lines)
    guard !ended else { return }
    guard archive.totalBytes <= wholeLimit else { return giveUp() }
    if lines.count >= Self.batchBytes {
      // A long line goes in batches of its own: the queue then holds at
      // most its bound of it, not the whole line after the caller let go.
      hand(batch)
      batch = []
      var start = 0
      while start < lines.count {
        let end = min(start + Self.batchBytes, lines.count)
        hand(Array(lines[start..<end]))
        start = end
      }
    } else {
      if batch.isEmpty { batch.reserveCapacity(Self.batchBytes) }
      batch += lines
      if batch.count >= Self.batchBytes {
        hand(batch)
        batch = []
      }
    }
  }

  public func readTail(maxBytes: Int, _ body: ([UInt8]) throws -> Void) throws -> Int {
    try archive.readTail(maxBytes: maxBytes, body)
  }

  /// The gzip of all that was appended, nil when compressing never started
  /// (a log of one batch or less), gave up or failed: the mail then
  /// compresses from the archive as it would without this.
  public func compressedWhole() throws -> CompressedLog? {
    guard !ended else { return result }
    if background != nil { hand(batch) }
    batch = []
    guard !ended, let background else {
      ended = true
      return nil
    }
    ended = true
    let outcome = background.finish()
    self.background = nil
    guard outcome.error == nil else { return nil }
    result = CompressedLog(size: outcome.size, pieces: outcome.pieces)
    return result
  }

  /// Starts the thread with the first full batch; a thread that cannot
  /// be started, or has stopped, ends compressing here.
  private func hand(_ chunk: [UInt8]) {
    guard !ended, !chunk.isEmpty else { return }
    if background == nil {
      background = try? BackgroundCompression(compressor: compressor, keep: keep)
      if background == nil { return giveUp() }
    }
    if background?.write(chunk) == false { giveUp() }
  }

  private func giveUp() {
    ended = true
    batch = []
    // Its deinit stops the thread and waits for it.
    background = nil
  }
}
