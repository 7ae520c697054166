/// The last lines of a log, bounded in bytes: a run of a million lines keeps
/// only what the mail body and the ping can show, so memory stays flat.
public struct LogTail: Sendable {
  public let capacityBytes: Int
  private var lines: [[UInt8]] = []
  private var head = 0  // index of the oldest kept line in `lines`
  public private(set) var byteCount = 0
  /// Lines that were appended and then pushed out (or never fitted).
  public private(set) var droppedLines = 0

  public init(capacityBytes: Int) {
    self.capacityBytes = max(capacityBytes, 0)
  }

  public var count: Int { lines.count - head }

  /// The kept lines, oldest first.
  public var keptLines: ArraySlice<[UInt8]> { lines[head...] }

  public mutating func append(_ line: [UInt8]) {
    lines.append(line)
    byteCount += line.count
    while byteCount > capacityBytes, head < lines.count {
      byteCount -= lines[head].count
      lines[head] = []
      head += 1
      droppedLines += 1
    }
    // Compact now and then so dropped slots do not accumulate.
    if head > 1024, head * 2 > lines.count {
      lines.removeFirst(head)
      head = 0
    }
  }

  /// The last lines that fit both limits, oldest first.
  public func suffix(maxLines: Int, maxBytes: Int) -> ArraySlice<[UInt8]> {
    var bytes = 0
    var start = lines.count
    while start > head, lines.count - start < maxLines {
      let size = lines[start - 1].count
      if bytes + size > maxBytes { break }
      bytes += size
      start -= 1
    }
    return lines[start...]
  }
}
