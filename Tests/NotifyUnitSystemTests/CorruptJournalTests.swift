import Foundation
import NotifyUnitCore
import NotifyUnitSystem
import TestSupport
import Testing

/// A journal directory where good files sit among damaged ones (truncated,
/// garbage in the middle, empty, a valid header with garbage after it,
/// random bytes): the invocation's entries in the good files are all read,
/// in order, without an error, a crash or a hang. journalctl --directory
/// skips the same files (bench/pathological.sh compares the two at size).
@Suite struct CorruptJournalTests {
  typealias J = JournalFixture

  /// Reproducible garbage (xorshift64), so that a failure can be replayed.
  static func garbage(_ count: Int, seed: UInt64) -> Data {
    var state = seed | 1
    var bytes = [UInt8](repeating: 0, count: count)
    for i in bytes.indices {
      state ^= state << 13
      state ^= state >> 7
      state ^= state << 17
      bytes[i] = UInt8(truncatingIfNeeded: state)
    }
    return Data(bytes)
  }

  /// A little-endian 64-bit field of the journal file's header.
  static func headerField(_ path: String, at offset: UInt64) throws -> UInt64 {
    let handle = try #require(FileHandle(forReadingAtPath: path))
    defer { try? handle.close() }
    try handle.seek(toOffset: offset)
    let bytes = try #require(try handle.read(upToCount: 8))
    return bytes.reversed().reduce(0) { $0 << 8 | UInt64($1) }
  }

  static func overwrite(_ path: String, at offset: UInt64, with data: Data) throws {
    let handle = try #require(FileHandle(forUpdatingAtPath: path))
    defer { try? handle.close() }
    try handle.seek(toOffset: offset)
    try handle.write(contentsOf: data)
  }

  static func lines(_ tag: String, _ count: Int, invocation: String, from start: UInt64)
    -> [J.Entry]
  {
    (0..<count).map {
      J.serviceLine(Array("\(tag) line \($0)".utf8), invocation: invocation, at: start + UInt64($0))
    }
  }

  /// Good files: the invocation in two (before and after the damaged
  /// ones in time), another unit in a third. Damaged files: the same
  /// invocation's entries ("corrupt ..."), each damaged its own way.
  static func makeDirectory(invocation id: String) throws -> (URL, expected: [String]) {
    let dir = try Paths.temporaryDirectory()
    let t = J.baseTime
    try J.write(lines("good-a", 300, invocation: id, from: t), in: dir, name: "good-a")
    try J.write(
      lines("other", 300, invocation: J.newInvocation(), from: t + 500), in: dir, name: "good-other"
    )
    try J.write(lines("good-c", 300, invocation: id, from: t + 50_000), in: dir, name: "good-c")

    // Cut half-way.
    let truncated = try J.write(
      lines("corrupt truncated", 3000, invocation: id, from: t + 10_000), in: dir, name: "truncated"
    )
    let size = try #require(
      try FileManager.default.attributesOfItem(atPath: truncated)[.size] as? UInt64)
    let cut = try #require(FileHandle(forUpdatingAtPath: truncated))
    try cut.truncate(atOffset: size / 2)
    try cut.close()

    // 64 KiB of garbage in the middle of what the file uses (up to its
    // tail object, header field tail_object_offset at 136).
    let garbled = try J.write(
      lines("corrupt garbled", 3000, invocation: id, from: t + 20_000), in: dir, name: "garbled")
    let used = try headerField(garbled, at: 136)
    try overwrite(garbled, at: used / 2, with: garbage(65536, seed: 1))

    // Small garbage spots over the second half: data objects that entries
    // still point to.
    let spotted = try J.write(
      lines("corrupt spotted", 3000, invocation: id, from: t + 30_000), in: dir, name: "spotted")
    let spottedUsed = try headerField(spotted, at: 136)
    for i in 0..<200 {
      try overwrite(
        spotted, at: spottedUsed / 2 + spottedUsed / 2 * UInt64(i) / 200,
        with: garbage(16, seed: UInt64(i) + 2))
    }

    // A valid header (header_size at 88), garbage after it.
    let headered = try J.write(
      lines("corrupt headered", 3000, invocation: id, from: t + 40_000), in: dir,
      name: "header-garbage")
    let headerSize = try headerField(headered, at: 88)
    let fileSize = try #require(
      try FileManager.default.attributesOfItem(atPath: headered)[.size] as? UInt64)
    try overwrite(
      headered, at: headerSize, with: garbage(Int(fileSize - headerSize), seed: 1000))

    try Data().write(to: dir.appendingPathComponent("empty.journal"))
    try garbage(1 << 20, seed: 2000).write(to: dir.appendingPathComponent("random.journal"))

    let expected =
      (0..<300).map { "good-a line \($0)" } + (0..<300).map { "good-c line \($0)" }
    return (dir, expected)
  }

  /// Read from the directory as a report does: files merged from two
  /// handles (settle 0), and waiting for journald to settle (settle > 0).
  @Test(arguments: [0.0, 1.0])
  func goodEntriesAreReadAmongCorruptFiles(settle: Double) throws {
    let id = J.newInvocation()
    let (dir, expected) = try Self.makeDirectory(invocation: id)
    defer { try? FileManager.default.removeItem(at: dir) }

    var messages: [String] = []
    let started = ContinuousClock.now
    let outcome = try InvocationLog(source: .directory(dir.path), invocationID: id).read(
      settle: settle, deadline: Deadline(secondsFromNow: 20)
    ) { messages.append(String(decoding: $0.message, as: UTF8.self)) }
    let elapsed = started.duration(to: .now)

    #expect(outcome.journalReadable && outcome.complete && outcome.settled)
    // Generous: a hang runs into the 20 s deadline; a loaded two-core
    // machine may be slow, which is no failure.
    #expect(elapsed < .seconds(15), "reading took \(elapsed): a damaged file made it hang")
    // Every good entry, once, in order; the good file of another unit none.
    #expect(messages.filter { $0.hasPrefix("good-") } == expected)
    #expect(!messages.contains { $0.hasPrefix("other ") })
    // What comes from the damaged files is theirs: intact lines, lines
    // with garbage in them, or an empty record for an entry whose fields
    // cannot be read (journalctl skips those).
    let foreign = messages.filter { !$0.hasPrefix("good-") && !$0.hasPrefix("corrupt ") }
    #expect(foreign.count <= 10, "unexpected entries: \(foreign.prefix(5))")
    // The damage is real: the damaged files do not give all they held.
    #expect(messages.filter { $0.hasPrefix("corrupt ") }.count < 4 * 3000)
  }
}
