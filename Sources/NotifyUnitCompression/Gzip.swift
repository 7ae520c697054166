import CZlib
import NotifyUnitCore

/// gzip (RFC 1952) through zlib's deflate: what `gunzip` and every mail
/// client's archive viewer open. Level 1 (Z_BEST_SPEED) by default: on
/// log text it deflates 2.4-3.5 times faster than zlib's default 6 for
/// 4-26 % more bytes (bench/README.md), and the report is made in
/// ExecStopPost= of every run while the attachment's limit is far above a
/// typical log's gzip.
public struct Gzip: LogCompressor {
  public let level: Int32
  public let fileExtension = ".gz"
  public let contentType = "application/gzip"

  public init(level: Int32 = Z_BEST_SPEED) { self.level = level }

  public func makeStream() throws -> any CompressionStream {
    try GzipStream(level: level)
  }
}

/// One gzip file being written. The `z_stream` lives at a fixed address
/// (zlib keeps a pointer back to it and refuses a moved one), allocated
/// here and released in deinit.
public final class GzipStream: CompressionStream {
  private let stream: UnsafeMutablePointer<z_stream>
  private var output = [UInt8](repeating: 0, count: 1 << 16)
  private var finished = false

  public init(level: Int32) throws(ZlibError) {
    // Set up before `self.stream` is: an init that throws once every
    // property is set runs deinit, which would free the stream again.
    let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
    stream.initialize(to: z_stream())
    let result = czlib_deflate_init_gzip(stream, level)
    guard result == Z_OK else {
      stream.deallocate()
      throw ZlibError(call: "deflateInit2", code: result, message: nil)
    }
    self.stream = stream
  }

  deinit {
    deflateEnd(stream)
    stream.deallocate()
  }

  public func write(_ bytes: [UInt8], to output: ([UInt8]) throws -> Void) throws {
    guard !bytes.isEmpty else { return }
    try run(bytes, flush: Z_NO_FLUSH, to: output)
  }

  public func finish(to output: ([UInt8]) throws -> Void) throws {
    guard !finished else { return }
    finished = true
    try run([], flush: Z_FINISH, to: output)
  }

  /// Feeds `input` to deflate and hands on every full or final output
  /// buffer; with Z_FINISH, until deflate says the stream has ended.
  private func run(_ input: [UInt8], flush: Int32, to sink: ([UInt8]) throws -> Void) throws {
    var input = input
    try input.withUnsafeMutableBufferPointer { inBuffer in
      stream.pointee.next_in = inBuffer.baseAddress
      stream.pointee.avail_in = UInt32(inBuffer.count)
      defer {
        stream.pointee.next_in = nil
        stream.pointee.avail_in = 0
      }
      while true {
        let (result, produced) = output.withUnsafeMutableBufferPointer { outBuffer in
          stream.pointee.next_out = outBuffer.baseAddress
          stream.pointee.avail_out = UInt32(outBuffer.count)
          let result = deflate(stream, flush)
          return (result, outBuffer.count - Int(stream.pointee.avail_out))
        }
        // Z_BUF_ERROR only says no progress was possible: not an error.
        guard result == Z_OK || result == Z_STREAM_END || result == Z_BUF_ERROR else {
          throw ZlibError(
            call: "deflate", code: result,
            message: stream.pointee.msg.map { String(cString: $0) })
        }
        if produced > 0 { try sink(Array(output[..<produced])) }
        if flush == Z_FINISH {
          if result == Z_STREAM_END { return }
          guard result != Z_BUF_ERROR || produced > 0 else {
            throw ZlibError(call: "deflate(Z_FINISH)", code: result, message: nil)
          }
        } else if stream.pointee.avail_in == 0, produced < output.count {
          return
        }
      }
    }
  }
}
