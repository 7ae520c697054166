/// JSON text built by hand: the few documents notify-unit writes (status,
/// the webhook's) need strings, numbers and nesting, not a serialiser.
public enum JSON {
  /// A JSON string: quotes, backslashes and control characters escaped;
  /// invalid UTF-8 was already repaired when the text became a String.
  public static func string(_ s: String) -> String {
    var out = "\""
    for scalar in s.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      case _ where scalar.value < 0x20 || scalar.value == 0x2028 || scalar.value == 0x2029:
        out += "\\u" + Hex.fourDigits(scalar.value)
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out + "\""
  }

  /// Members already encoded, in the order given.
  public static func object(_ members: [(String, String)]) -> String {
    "{" + members.map { string($0.0) + ":" + $0.1 }.joined(separator: ",") + "}"
  }

  /// Elements already encoded.
  public static func array(_ elements: [String]) -> String {
    "[" + elements.joined(separator: ",") + "]"
  }

  public static func optional(_ value: String?) -> String { value.map(string) ?? "null" }

  public static func bool(_ value: Bool) -> String { value ? "true" : "false" }

  /// A finite number as JSON has it; a non-finite one is null.
  public static func number(_ value: Double) -> String {
    guard value.isFinite else { return "null" }
    if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
    return String(value)
  }
}
