import Foundation
import NotifyUnitCore
import NotifyUnitSystem
import TestSupport
import Testing

@Suite struct TemporaryLogArchiveTests {
  func lines(_ count: Int, width: Int = 50) -> [[UInt8]] {
    (0..<count).map { i in
      Array("line \(i) ".utf8) + [UInt8](repeating: 0x2E, count: i % width) + [0x0A]
    }
  }

  func tail(_ archive: LogArchive, _ maxBytes: Int) throws -> ([UInt8], Int) {
    var out: [UInt8] = []
    let left = try archive.readTail(maxBytes: maxBytes) { out += $0 }
    return (out, left)
  }

  @Test(arguments: [1, 100, 1000, 4096, 100_000, 10_000_000])
  func keepsTheSameTailAsTheWholeLog(limit: Int) throws {
    let dir = try Paths.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let archive = try TemporaryLogArchive(limit: limit, directory: dir.path)
    let reference = MemoryLogArchive()
    for line in lines(20_000) {
      try archive.append(line)
      try reference.append(line)
    }
    #expect(archive.totalBytes == reference.totalBytes)
    let (got, left) = try tail(archive, limit)
    let (want, wantLeft) = try tail(reference, limit)
    #expect(got == want)
    #expect(left == wantLeft)
    #expect(got.count <= limit)
    // The files are unlinked at once: nothing to clean up, even after a kill.
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
  }

  /// Lines longer than the write buffer and than the limit are written
  /// without a copy, or only their end: the tail is the same all the same.
  @Test(arguments: [1000, 100_000, 300_000, 3_000_000])
  func keepsTheSameTailWithHugeLines(limit: Int) throws {
    let dir = try Paths.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let archive = try TemporaryLogArchive(limit: limit, directory: dir.path)
    let reference = MemoryLogArchive()
    for (i, line) in lines(3000).enumerated() {
      let chunk =
        i % 500 == 7
        ? Array("huge \(i) ".utf8) + [UInt8](repeating: 0x48, count: 200_000 + i) + [0x0A] : line
      try archive.append(chunk)
      try reference.append(chunk)
    }
    #expect(archive.totalBytes == reference.totalBytes)
    let (got, left) = try tail(archive, limit)
    let (want, wantLeft) = try tail(reference, limit)
    #expect(got == want)
    #expect(left == wantLeft)
  }

  @Test func aLineLongerThanTheLimitIsLeftOutWhole() throws {
    let dir = try Paths.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let archive = try TemporaryLogArchive(limit: 100, directory: dir.path)
    try archive.append(Array("short\n".utf8))
    try archive.append([UInt8](repeating: 0x41, count: 1000) + [0x0A])
    let (got, left) = try tail(archive, 100)
    #expect(got.isEmpty && left == 1007)
  }

  @Test func unwritableDirectoryIsAnError() {
    #expect(throws: FileError.self) {
      _ = try TemporaryLogArchive(limit: 10, directory: "/nonexistent")
    }
  }
}
