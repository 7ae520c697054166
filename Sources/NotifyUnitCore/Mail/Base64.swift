/// Base64 (RFC 4648, RFC 2045): whole values for encoded words and a
/// streaming encoder for attachments, 76 characters a line.
public enum Base64 {
  static let alphabet = Array(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

  public static func encode(_ bytes: [UInt8]) -> String {
    var out: [UInt8] = []
    out.reserveCapacity((bytes.count + 2) / 3 * 4)
    appendEncoded(bytes[...], to: &out)
    return String(decoding: out, as: UTF8.self)
  }

  static func appendEncoded(_ bytes: ArraySlice<UInt8>, to out: inout [UInt8]) {
    var i = bytes.startIndex
    while i + 3 <= bytes.endIndex {
      let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
      out.append(alphabet[Int(n >> 18 & 63)])
      out.append(alphabet[Int(n >> 12 & 63)])
      out.append(alphabet[Int(n >> 6 & 63)])
      out.append(alphabet[Int(n & 63)])
      i += 3
    }
    let rest = bytes.endIndex - i
    if rest > 0 {
      let n = UInt32(bytes[i]) << 16 | (rest == 2 ? UInt32(bytes[i + 1]) << 8 : 0)
      out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)]]
      out += rest == 2 ? [alphabet[Int(n >> 6 & 63)], 0x3D] : [0x3D, 0x3D]
    }
  }

  /// Encodes a stream into 76-character lines, writing whole lines to a sink.
  public struct LineEncoder {
    private var pending: [UInt8] = []
    private var out: [UInt8] = []
    public init() { out.reserveCapacity(1 << 16) }

    public mutating func write(_ bytes: [UInt8], to sink: ByteSink) throws {
      var input = bytes[...]
      if !pending.isEmpty {
        let need = 57 - pending.count
        pending += input.prefix(need)
        input = input.dropFirst(need)
        guard pending.count == 57 else { return }
        Base64.appendEncoded(pending[...], to: &out)
        out.append(0x0A)
        pending.removeAll(keepingCapacity: true)
      }
      while input.count >= 57 {
        Base64.appendEncoded(input.prefix(57), to: &out)
        out.append(0x0A)
        input = input.dropFirst(57)
      }
      pending += input
      if out.count >= 1 << 16 {
        try sink.write(out)
        out.removeAll(keepingCapacity: true)
      }
    }

    public mutating func finish(to sink: ByteSink) throws {
      if !pending.isEmpty {
        Base64.appendEncoded(pending[...], to: &out)
        out.append(0x0A)
        pending.removeAll()
      }
      try sink.write(out)
      out.removeAll()
    }
  }
}
