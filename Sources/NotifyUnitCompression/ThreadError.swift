/// A pthread call that failed: the call and the error number it returned
/// (pthread functions return it rather than set errno).
public struct ThreadError: Error, CustomStringConvertible, Sendable {
  public var call: String
  public var code: Int32

  public var description: String { "\(call) returned \(code)" }
}
