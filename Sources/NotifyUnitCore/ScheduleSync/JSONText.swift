/// Just enough JSON for the Management API, without Foundation: a string
/// literal out, one string field of an answer in.
public enum JSONText {
  /// `value` as a JSON string literal (RFC 8259 §7).
  public static func string(_ value: String) -> String {
    var out = "\""
    for scalar in value.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      case _ where scalar.value < 0x20:
        let hex = String(scalar.value, radix: 16)
        out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out + "\""
  }

  /// The string value of top-level-looking `"key": "…"` in `json`; nil
  /// when absent or not a string. Escapes other than \" and \\ are kept as
  /// written: the value is only shown.
  public static func field(_ key: String, in json: String) -> String? {
    guard let keyRange = json.range(of: string(key)) else { return nil }
    var rest = json[keyRange.upperBound...].drop { $0 == " " }
    guard rest.first == ":" else { return nil }
    rest = rest.dropFirst().drop { $0 == " " }
    guard rest.first == "\"" else { return nil }
    var value = ""
    var escaped = false
    for c in rest.dropFirst() {
      if escaped {
        value.append(c)
        escaped = false
      } else if c == "\\" {
        escaped = true
      } else if c == "\"" {
        return value
      } else {
        value.append(c)
      }
    }
    return nil
  }
}
