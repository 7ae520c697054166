/// Compresses the attached log as it is streamed into the mail. The core
/// only names the operation; zlib does it behind a C boundary
/// (`NotifyUnitCompression.Gzip`), so the core stays free of C and I/O.
public protocol LogCompressor: Sendable {
  /// Appended to the attachment's file name: ".gz".
  var fileExtension: String { get }
  /// The attachment's MIME type: "application/gzip".
  var contentType: String { get }
  /// A new stream: one whole compressed file.
  func makeStream() throws -> any CompressionStream
}

/// One compressed file in the making. Each call hands the compressed bytes
/// it made so far to `output`, so neither side holds the whole log.
public protocol CompressionStream: AnyObject {
  func write(_ bytes: [UInt8], to output: ([UInt8]) throws -> Void) throws
  /// Ends the file; the stream is not used after.
  func finish(to output: ([UInt8]) throws -> Void) throws
}
