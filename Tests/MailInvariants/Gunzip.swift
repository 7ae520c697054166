import CZlib

/// zlib's own inflate, called here directly: the check reads the attached
/// gzip with the reference decoder, not with anything notify-unit wrote.
/// One gzip member, ending exactly at the input's end.
enum Gunzip {
  static func decode(_ data: [UInt8]) -> Result<[UInt8], Failure> {
    let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
    stream.initialize(to: z_stream())
    defer { stream.deallocate() }
    guard czlib_inflate_init_gzip(stream) == Z_OK else { return .failure("inflateInit2 failed") }
    defer { inflateEnd(stream) }
    var input = data
    var out: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    return input.withUnsafeMutableBufferPointer { inBuffer in
      stream.pointee.next_in = inBuffer.baseAddress
      stream.pointee.avail_in = UInt32(inBuffer.count)
      while true {
        let (result, produced) = chunk.withUnsafeMutableBufferPointer { outBuffer in
          stream.pointee.next_out = outBuffer.baseAddress
          stream.pointee.avail_out = UInt32(outBuffer.count)
          let result = inflate(stream, Z_NO_FLUSH)
          return (result, outBuffer.count - Int(stream.pointee.avail_out))
        }
        out += chunk[..<produced]
        switch result {
        case Z_STREAM_END:
          guard stream.pointee.avail_in == 0 else {
            return .failure("\(stream.pointee.avail_in) bytes after the gzip stream's end")
          }
          return .success(out)
        case Z_OK: continue
        default:
          if result == Z_BUF_ERROR, produced == 0 {
            return .failure("the gzip stream is cut short")
          }
          guard result == Z_BUF_ERROR else { return .failure("inflate returned \(result)") }
        }
      }
    }
  }
}
