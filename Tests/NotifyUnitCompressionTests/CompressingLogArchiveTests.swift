import Foundation
import NotifyUnitCompression
import NotifyUnitCore
import TestSupport
import Testing

/// The log compressed on a second thread while it is appended: gunzip
/// gives back exactly what the archive holds, or there is no gzip.
@Suite struct CompressingLogArchiveTests {
  func gunzip(_ data: [UInt8]) throws -> [UInt8] {
    let result = try Command.run("/bin/gzip", ["-dc"], stdin: Data(data))
    guard result.status == 0 else { throw TestFailure("gzip -dc: \(result.stderr)") }
    return [UInt8](result.stdout)
  }

  func archive(keep: Int = 1 << 24, wholeLimit: Int = 1 << 26) -> (
    CompressingLogArchive, MemoryLogArchive
  ) {
    let inner = MemoryLogArchive()
    return (
      CompressingLogArchive(inner, compressor: Gzip(), keep: keep, wholeLimit: wholeLimit), inner
    )
  }

  /// Lines of every size, one longer than a batch (handed over as it is):
  /// the gzip is of the whole log, its size counted, and the archive holds
  /// the same bytes.
  @Test func theGzipIsOfTheWholeLog() throws {
    let (archive, inner) = archive()
    for i in 0..<40_000 {
      try archive.append(Array("[\(i / 60):\(i % 60)] \(i) files, /srv/data/\(i)\n".utf8))
      if i == 20_000 { try archive.append([UInt8](repeating: 0x41, count: 300_000) + [0x0A]) }
    }
    let whole = try #require(try archive.compressedWhole())
    let gzip = Array(try #require(whole.pieces).joined())
    #expect(whole.size == gzip.count)
    #expect(archive.totalBytes == inner.bytes.count)
    #expect(try gunzip(gzip) == inner.bytes)
    // Asked again, the same answer; appending after it changes nothing.
    try archive.append(Array("late\n".utf8))
    #expect(try archive.compressedWhole() == whole)
  }

  /// A log of less than one batch starts no thread: the mail compresses
  /// it, if at all, as it is written.
  @Test func aShortLogHasNoGzip() throws {
    let (archive, _) = archive()
    try archive.append(Array(String(repeating: "a short log line\n", count: 100).utf8))
    #expect(try archive.compressedWhole() == nil)
  }

  /// Longer than an attachment can hold whole: given up, no gzip.
  @Test func aLogOverTheWholeLimitHasNoGzip() throws {
    let (archive, inner) = archive(wholeLimit: 1_000_000)
    for i in 0..<50_000 { try archive.append(Array("line \(i) of a long run\n".utf8)) }
    #expect(inner.bytes.count > 1_000_000)
    #expect(try archive.compressedWhole() == nil)
  }

  /// A gzip larger than `keep` is measured, not kept.
  @Test func aGzipOverTheKeepIsMeasuredOnly() throws {
    let (archive, _) = archive(keep: 1000)
    var state: UInt32 = 2_463_534_242
    for _ in 0..<200 {
      // xorshift: bytes deflate cannot shrink.
      var line: [UInt8] = []
      for _ in 0..<5000 {
        state ^= state << 13
        state ^= state >> 17
        state ^= state << 5
        line.append(UInt8(truncatingIfNeeded: state))
      }
      try archive.append(line)
    }
    let whole = try #require(try archive.compressedWhole())
    #expect(whole.size > 1_000_000)
    #expect(whole.pieces == nil)
  }

  /// An archive dropped before its gzip is asked for stops its thread
  /// (the test would hang otherwise).
  @Test func anArchiveDroppedHalfWayStopsItsThread() throws {
    for _ in 0..<20 {
      let (archive, _) = archive()
      for i in 0..<30_000 { try archive.append(Array("line \(i) of a run\n".utf8)) }
    }
  }
}
