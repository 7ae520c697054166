/// A zlib call that did not return what it must: the call and its result
/// code (Z_MEM_ERROR, Z_STREAM_ERROR, ...), with zlib's message if it gave
/// one.
public struct ZlibError: Error, CustomStringConvertible, Sendable {
  public var call: String
  public var code: Int32
  public var message: String?

  public var description: String {
    "zlib \(call) returned \(code)" + (message.map { ": \($0)" } ?? "")
  }
}
