/// A setting that cannot be used: one line saying which and why.
public enum ConfigurationError: Error, Equatable, CustomStringConvertible {
  case invalid(String)
  public var description: String {
    switch self {
    case .invalid(let message): message
    }
  }
}
