import Testing

@testable import NotifyUnitCore

@Suite struct LogRendererTests {
  let renderer = LogRenderer(zone: .utc, maxReadableLineBytes: 100)

  func record(_ message: [UInt8]) -> LogRecord {
    LogRecord(
      realtime: 1_795_000_000_123_456, priority: 3, identifier: Array("restic".utf8),
      pid: Array("42".utf8), message: message)
  }

  func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

  @Test func prefixHasTimestampPriorityIdentifierAndPID() {
    var out: [UInt8] = []
    renderer.appendExactLine(record(Array("hello".utf8)), to: &out)
    #expect(text(out) == "2026-11-18T11:06:40.123456+00:00 err restic[42]: hello\n")
  }

  /// Identifier and PID stay one token of printable ASCII, at most 64
  /// bytes each: the printable ones are copied whole, the others byte by
  /// byte with "?" for what is not printable.
  @Test func identifierAndPIDAreShortPrintableTokens() {
    var out: [UInt8] = []
    let long = [UInt8](repeating: 0x61, count: 70)
    renderer.appendExactLine(
      LogRecord(
        realtime: 0, identifier: long, pid: [0x34, 0x20, 0x0A, 0xC3, 0xA9], message: [0x78]),
      to: &out)
    #expect(
      text(out)
        == "1970-01-01T00:00:00.000000+00:00 - \(String(repeating: "a", count: 64))[4????]: x\n")
    let cut = LogRecord(realtime: 0, identifier: long, message: [0x78])
    var line: [UInt8] = []
    renderer.appendExactLine(cut, to: &line)
    #expect(line.count == 32 + 3 + 64 + 2 + 2)
    #expect(renderer.exactLineLength(cut) == line.count)
  }

  @Test func missingFieldsAreShownAsDashes() {
    var out: [UInt8] = []
    renderer.appendExactLine(LogRecord(realtime: 0, message: Array("x".utf8)), to: &out)
    #expect(text(out) == "1970-01-01T00:00:00.000000+00:00 - -: x\n")
  }

  @Test func exactFormKeepsBytesButRepairsInvalidUTF8() {
    var out: [UInt8] = []
    let message: [UInt8] = [0x61, 0x00, 0x1B, 0x5B, 0x0D, 0x0A, 0xFF, 0x62]
    renderer.appendExactLine(record(message), to: &out)
    let expected: [UInt8] = [0x61, 0x00, 0x1B, 0x5B, 0x0D, 0x0A, 0xEF, 0xBF, 0xBD, 0x62, 0x0A]
    #expect(Array(out.suffix(expected.count)) == expected)
    #expect(renderer.exactLineLength(record(message)) == out.count)
  }

  @Test func readableFormShowsControlCharactersAsPictures() {
    var out: [UInt8] = []
    renderer.appendReadableLine(
      record([0x61, 0x00, 0x1B, 0x0D, 0x7F, 0x09, 0xC2, 0x9B, 0xFF]), to: &out)
    #expect(text(out).hasSuffix(": a␀␛␍␡\t\u{FFFD}\u{FFFD}\n"))
    #expect(!out.contains(0x00) && !out.contains(0x1B) && !out.contains(0x0D))
  }

  @Test func readableFormIndentsContinuationLines() {
    var out: [UInt8] = []
    LogRenderer(zone: .utc).appendReadableLine(record(Array("one\ntwo".utf8)), to: &out)
    let lines = text(out).split(separator: "\n")
    #expect(lines.count == 2)
    #expect(lines[1].hasPrefix("   ") && lines[1].hasSuffix("two"))
  }

  @Test func readableFormCutsLongEntriesAndSaysHowMuch() {
    var out: [UInt8] = []
    let message =
      Array("START".utf8) + [UInt8](repeating: 0x78, count: 990) + Array("FATAL: disk full".utf8)
    let cut = renderer.appendReadableLine(record(message), to: &out)
    #expect(cut)
    #expect(out.count < 200)
    let line = text(out)
    // The start and the end (where the error is) stay, with the count between.
    #expect(line.contains(": STARTxxx"))
    #expect(line.hasSuffix("xxFATAL: disk full\n"))
    let omitted = Int(line.split(separator: "[… ")[1].split(separator: " ")[0])!
    let shownX = line.filter { $0 == "x" }.count
    #expect("START".count + shownX + "FATAL: disk full".count + omitted == message.count)
    var short: [UInt8] = []
    #expect(!renderer.appendReadableLine(record(Array("short".utf8)), to: &short))
  }

  @Test func readableCutNeverSplitsACharacter() {
    var out: [UInt8] = []
    renderer.appendReadableLine(record(Array(String(repeating: "💾", count: 100).utf8)), to: &out)
    #expect(String(validating: out, as: UTF8.self) != nil)
  }

  @Test func tailKeepsTheLastLinesWithinItsCapacity() {
    var tail = LogTail(capacityBytes: 100)
    for i in 0..<5000 { tail.append(Array("line \(i)\n".utf8)) }
    #expect(tail.byteCount <= 100)
    #expect(String(decoding: tail.keptLines.last!, as: UTF8.self) == "line 4999\n")
    #expect(tail.droppedLines + tail.count == 5000)
    let two = tail.suffix(maxLines: 2, maxBytes: 1000)
    #expect(two.map { String(decoding: $0, as: UTF8.self) } == ["line 4998\n", "line 4999\n"])
    #expect(tail.suffix(maxLines: 100, maxBytes: 15).count == 1)
  }

  @Test func durations() {
    #expect(formatDuration(4.24) == "4.2 s")
    #expect(formatDuration(75) == "1 min 15 s")
    #expect(formatDuration(3723) == "1 h 02 min 03 s")
  }
}
