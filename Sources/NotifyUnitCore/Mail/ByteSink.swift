/// Where a message is written: sendmail's stdin, stdout for --dry-run, or a
/// buffer in tests. The message is streamed, never held whole in memory.
public protocol ByteSink: AnyObject {
  func write(_ bytes: [UInt8]) throws
}

/// A sink that keeps everything: for tests and small messages.
public final class BufferSink: ByteSink {
  public private(set) var bytes: [UInt8] = []
  public init() {}
  public func write(_ bytes: [UInt8]) throws { self.bytes += bytes }
  public var string: String { String(decoding: bytes, as: UTF8.self) }
}
