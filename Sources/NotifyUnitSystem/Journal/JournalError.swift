#if canImport(Glibc)
  import Glibc
#endif

/// A failed sd-journal call: which call, and the errno it returned.
public struct JournalError: Error, CustomStringConvertible, Sendable {
  public var operation: String
  public var errno: Int32

  public init(_ operation: String, _ result: Int32) {
    self.operation = operation
    self.errno = -result
  }

  public var description: String {
    "\(operation) failed: \(String(cString: strerror(errno)))"
  }
}
