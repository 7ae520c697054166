import Foundation
import NotifyUnitCompression
import NotifyUnitCore
import TestSupport
import Testing

/// The gzip stream against Debian's own gzip: what a recipient's `gunzip`
/// does with the attachment.
@Suite struct GzipTests {
  func gunzip(_ data: [UInt8]) throws -> [UInt8] {
    let result = try Command.run("/bin/gzip", ["-dc"], stdin: Data(data))
    guard result.status == 0 else { throw TestFailure("gzip -dc: \(result.stderr)") }
    return [UInt8](result.stdout)
  }

  /// Text and random bytes in chunks of every size, empty ones too: the
  /// output comes in pieces no larger than the stream's buffer, and gunzip
  /// gives the input back exactly.
  @Test func streamedChunksGunzipToTheInput() throws {
    var input: [UInt8] = []
    var chunks: [[UInt8]] = []
    var state: UInt32 = 2_463_534_242
    for size in [0, 1, 7, 65_536, 0, 300_000, 3, 100_001] {
      var chunk: [UInt8] = []
      if size % 2 == 0 {
        chunk = Array(
          String(repeating: "restic processed /srv/file \(size)\n", count: size / 30).utf8)
      } else {
        // xorshift: bytes deflate cannot shrink.
        for _ in 0..<size {
          state ^= state << 13
          state ^= state >> 17
          state ^= state << 5
          chunk.append(UInt8(truncatingIfNeeded: state))
        }
      }
      chunks.append(chunk)
      input += chunk
    }
    let stream = try Gzip().makeStream()
    var output: [UInt8] = []
    var largest = 0
    let collect = { (piece: [UInt8]) in
      output += piece
      largest = max(largest, piece.count)
    }
    for chunk in chunks { try stream.write(chunk, to: collect) }
    try stream.finish(to: collect)
    try stream.finish(to: collect)  // a second finish adds nothing
    #expect(largest <= 1 << 16)
    #expect(output.count < input.count)
    #expect(try gunzip(output) == input)
  }

  @Test func anEmptyStreamIsAnEmptyGzipFile() throws {
    let stream = try Gzip().makeStream()
    var output: [UInt8] = []
    try stream.finish { output += $0 }
    #expect(output.starts(with: [0x1F, 0x8B]))
    #expect(try gunzip(output).isEmpty)
  }

  /// The default is zlib's fastest level: deflate marks it in the header's
  /// XFL byte (RFC 1952: 4, "compressor used fastest algorithm").
  @Test func theDefaultLevelIsTheFastest() throws {
    let stream = try Gzip().makeStream()
    var output: [UInt8] = []
    try stream.write(Array(String(repeating: "restic: 1 file\n", count: 1000).utf8)) {
      output += $0
    }
    try stream.finish { output += $0 }
    #expect(output.count > 9)
    #expect(output[8] == 4)
  }

  /// zlib's refusal arrives as a typed error naming the call.
  @Test func aLevelZlibRefusesIsAnError() {
    #expect(throws: ZlibError.self) { try Gzip(level: 42).makeStream() }
  }
}
