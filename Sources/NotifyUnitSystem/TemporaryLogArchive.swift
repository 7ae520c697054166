import NotifyUnitCore

#if canImport(Glibc)
  import Glibc
#endif

/// A `LogArchive` in two unlinked temporary files used in turn: when the
/// current one reaches the limit, the other is emptied and takes over. The
/// last `limit` bytes are always in the two, the disk used stays under
/// twice the limit, memory under one write buffer, and nothing is left
/// behind if notify-unit is killed.
public final class TemporaryLogArchive: LogArchive {
  private let limit: Int
  private var fds: [Int32] = []
  private var sizes = [0, 0]
  private var current = 0
  private var buffer: [UInt8] = []
  public private(set) var totalBytes = 0

  /// `directory` defaults to $TMPDIR, else /tmp (private under PrivateTmp=).
  public init(limit: Int, directory: String? = nil) throws(FileError) {
    self.limit = max(limit, 1)
    for _ in 0..<2 {
      do {
        fds.append(try Host.unlinkedTemporaryFile(prefix: "notify-unit-log", directory: directory))
      } catch {
        for open in fds { close(open) }
        throw error
      }
    }
    buffer.reserveCapacity(Self.bufferSize)
  }

  deinit { for fd in fds { close(fd) } }

  public func append(_ lines: [UInt8]) throws {
    totalBytes += lines.count
    if lines.count > limit {
      // All that came before is further back than `limit` bytes now: only
      // this chunk's end is kept, in a fresh start, with the byte before
      // it, which tells `readTail` whether a line starts there.
      buffer.removeAll(keepingCapacity: true)
      for fd in fds { guard ftruncate(fd, 0) == 0 else { throw error("emptying") } }
      sizes = [0, 0]
      current = 0
      try write(lines[(lines.count - limit - 1)...])
    } else if lines.count >= Self.bufferSize {
      // Written as it is, not copied into the buffer first.
      try flush()
      try write(lines[...])
    } else {
      buffer += lines
    }
    if sizes[current] + buffer.count >= limit {
      try flush()
      current ^= 1
      sizes[current] = 0
      guard ftruncate(fds[current], 0) == 0 else { throw error("emptying") }
    } else if buffer.count >= Self.bufferSize {
      try flush()
    }
  }

  static let bufferSize = 1 << 16

  private func flush() throws {
    try write(buffer[...])
    buffer.removeAll(keepingCapacity: true)
  }

  private func write(_ bytes: ArraySlice<UInt8>) throws {
    var offset = 0
    while offset < bytes.count {
      let n = bytes.withUnsafeBytes {
        pwrite(fds[current], $0.baseAddress! + offset, $0.count - offset, off_t(sizes[current]))
      }
      if n < 0 {
        if errno == EINTR { continue }
        throw error("writing")
      }
      offset += n
      sizes[current] += n
    }
  }

  public func readTail(maxBytes: Int, _ body: ([UInt8]) throws -> Void) throws -> Int {
    try flush()
    let other = current ^ 1
    // (file, from, to) ranges holding the last maxBytes, oldest first.
    var ranges: [(Int32, Int, Int)] = []
    if sizes[current] >= maxBytes {
      ranges.append((fds[current], sizes[current] - maxBytes, sizes[current]))
    } else {
      let need = maxBytes - sizes[current]
      if sizes[other] > 0 { ranges.append((fds[other], max(0, sizes[other] - need), sizes[other])) }
      ranges.append((fds[current], 0, sizes[current]))
    }
    var emitted = 0
    for (i, (fd, from, to)) in ranges.enumerated() {
      var start = from
      if i == 0, from > 0 {
        // Start at a line: just past the first newline at or after from - 1.
        start = to
        try read(fd, from: from - 1, to: to) { offset, chunk in
          guard let k = chunk.firstIndex(of: 0x0A) else { return true }
          start = offset + (k - chunk.startIndex) + 1
          return false
        }
      }
      try read(fd, from: start, to: to) { _, chunk in
        try body(Array(chunk))
        emitted += chunk.count
        return true
      }
    }
    return totalBytes - emitted
  }

  /// Reads bytes `from..<to` of `fd` in chunks, giving each with its offset
  /// to `body`, until the end or until `body` returns false.
  private func read(
    _ fd: Int32, from: Int, to: Int, _ body: (Int, ArraySlice<UInt8>) throws -> Bool
  ) throws {
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    var position = from
    while position < to {
      let n = chunk.withUnsafeMutableBytes {
        pread(fd, $0.baseAddress!, min($0.count, to - position), off_t(position))
      }
      if n < 0 {
        if errno == EINTR { continue }
        throw error("reading")
      }
      if n == 0 { return }
      guard try body(position, chunk[..<n]) else { return }
      position += n
    }
  }

  private func error(_ action: String) -> FileError {
    FileError(path: "a temporary log file", errno: errno, action: action)
  }
}
