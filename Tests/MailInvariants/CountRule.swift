/// A count that others wrote (N_DROPPED, Ping-Body-Limit, delay-seconds),
/// as documented: ASCII digits only, no sign and no space; more than
/// Int.max is Int.max. Compared as text, not by the core's arithmetic.
enum CountRule {
  static func count(_ text: String) -> Int? {
    guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
    let significant = String(text.drop { $0 == "0" })
    let max = String(Int.max)
    if significant.count < max.count { return significant.isEmpty ? 0 : Int(significant)! }
    if significant.count > max.count { return Int.max }
    return significant <= max ? Int(significant)! : Int.max
  }
}
