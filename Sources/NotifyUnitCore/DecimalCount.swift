/// A count that others wrote (a journal field, a peer's header): ASCII
/// digits only, as the protocols say (no sign, no space, no "0x"; Swift's
/// `Int("+5")` takes a sign), saturating at `Int.max` instead of trapping or
/// reading as nothing; nil when it is not digits.
public func decimalCount(_ digits: some Collection<UInt8>) -> Int? {
  guard !digits.isEmpty else { return nil }
  var n = 0
  for byte in digits {
    guard byte >= 0x30, byte <= 0x39 else { return nil }
    let (times10, o1) = n.multipliedReportingOverflow(by: 10)
    let (sum, o2) = times10.addingReportingOverflow(Int(byte - 0x30))
    n = o1 || o2 ? .max : sum
  }
  return n
}
