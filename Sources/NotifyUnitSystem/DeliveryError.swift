/// Why a mail or ping was not delivered, in one line.
public enum DeliveryError: Error, CustomStringConvertible, Sendable {
  case timedOut(String)
  /// Worth trying again later (EX_TEMPFAIL and the like).
  case temporary(String)
  case failed(String)

  public var description: String {
    switch self {
    case .timedOut(let m), .temporary(let m), .failed(let m): m
    }
  }
}
