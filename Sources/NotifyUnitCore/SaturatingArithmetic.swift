/// Arithmetic on numbers others control (a journal field, a peer's
/// header, a file): at the type's bound instead of Swift's overflow trap.
extension FixedWidthInteger {
  public func saturatingAdding(_ other: Self) -> Self {
    let (sum, overflow) = addingReportingOverflow(other)
    return overflow ? (other > 0 ? .max : .min) : sum
  }
}
