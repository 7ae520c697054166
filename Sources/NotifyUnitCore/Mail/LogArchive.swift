/// The exact log as it is read, kept for the attachment: only its end is
/// needed, and only that much (the attachment limit) is kept, so no run holds
/// the whole log. Filled during the one read of the journal, so the mail
/// attaches exactly what the summary counted.
public protocol LogArchive: AnyObject {
  /// Bytes appended in all.
  var totalBytes: Int { get }
  /// Appends whole lines.
  func append(_ lines: [UInt8]) throws
  /// Calls `body` with the last `maxBytes` (or fewer) bytes, from the start
  /// of a line, in chunks; returns how many bytes at the start were left out.
  func readTail(maxBytes: Int, _ body: ([UInt8]) throws -> Void) throws -> Int
  /// The whole log compressed as it was appended (by a compressor like the
  /// mail's), when the archive did that alongside; nil when it did not or
  /// gave up. Asked once the log is complete: later lines are archived, not
  /// compressed.
  func compressedWhole() throws -> CompressedLog?
}

extension LogArchive {
  public func compressedWhole() throws -> CompressedLog? { nil }
}

/// A compressed log's size, and its bytes in the pieces they were made in
/// when they were kept (not when over the keeper's limit).
public struct CompressedLog: Sendable, Equatable {
  public var size: Int
  public var pieces: [[UInt8]]?

  public init(size: Int, pieces: [[UInt8]]?) {
    self.size = size
    self.pieces = pieces
  }
}

/// A `LogArchive` in memory, for tests and small logs.
public final class MemoryLogArchive: LogArchive {
  public private(set) var bytes: [UInt8] = []
  public init() {}
  public var totalBytes: Int { bytes.count }
  public func append(_ lines: [UInt8]) throws { bytes += lines }

  public func readTail(maxBytes: Int, _ body: ([UInt8]) throws -> Void) throws -> Int {
    let start = lineStart(in: bytes, from: max(0, bytes.count - maxBytes))
    try body(Array(bytes[start...]))
    return start
  }
}

/// The first line start at or after `offset`: `offset` itself when a line
/// ends just before it, else just past the next newline.
public func lineStart(in bytes: [UInt8], from offset: Int) -> Int {
  guard offset > 0, offset <= bytes.count else { return min(max(offset, 0), bytes.count) }
  if bytes[offset - 1] == 0x0A { return offset }
  guard let newline = bytes[offset...].firstIndex(of: 0x0A) else { return bytes.count }
  return newline + 1
}
