/// A JSON object of one level, as restic's `--json` messages and
/// Healthchecks' API errors are: string, number, bool and null values.
/// Nested values are skipped (their key maps to `.other`); anything else
/// that is not JSON gives nil. Enough to read them, without Foundation in
/// the core (`JSON` writes).
enum FlatJSON {
  enum Value: Equatable {
    case string(String)
    case number(Double)
    case bool(Bool)
    case null
    case other
  }

  static func parse(_ bytes: some Collection<UInt8>) -> [String: Value]? {
    var scanner = Scanner(bytes: Array(bytes))
    return scanner.object()
  }

  struct Scanner {
    let bytes: [UInt8]
    var index = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func skipSpace() {
      while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
    }

    mutating func take(_ byte: UInt8) -> Bool {
      skipSpace()
      guard index < bytes.count, bytes[index] == byte else { return false }
      index += 1
      return true
    }

    mutating func object() -> [String: Value]? {
      guard take(UInt8(ascii: "{")) else { return nil }
      var result: [String: Value] = [:]
      if take(UInt8(ascii: "}")) { return result }
      repeat {
        skipSpace()
        guard let key = string(), take(UInt8(ascii: ":")), let value = value() else { return nil }
        result[key] = value
      } while take(UInt8(ascii: ","))
      return take(UInt8(ascii: "}")) ? result : nil
    }

    mutating func value() -> Value? {
      skipSpace()
      guard index < bytes.count else { return nil }
      switch bytes[index] {
      case UInt8(ascii: "\""): return string().map(Value.string)
      case UInt8(ascii: "{"), UInt8(ascii: "["): return skipNested() ? .other : nil
      case UInt8(ascii: "t"): return word("true") ? .bool(true) : nil
      case UInt8(ascii: "f"): return word("false") ? .bool(false) : nil
      case UInt8(ascii: "n"): return word("null") ? .null : nil
      default: return number().map(Value.number)
      }
    }

    mutating func word(_ w: String) -> Bool {
      let expected = Array(w.utf8)
      guard bytes[index...].starts(with: expected) else { return false }
      index += expected.count
      return true
    }

    mutating func number() -> Double? {
      let start = index
      while index < bytes.count, "+-.eE0123456789".utf8.contains(bytes[index]) { index += 1 }
      return Double(String(decoding: bytes[start..<index], as: UTF8.self))
    }

    /// A string at `index`, with JSON's escapes (\uXXXX as one scalar;
    /// a lone surrogate becomes U+FFFD).
    mutating func string() -> String? {
      guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
      index += 1
      var out: [UInt8] = []
      while index < bytes.count {
        let b = bytes[index]
        index += 1
        if b == UInt8(ascii: "\"") { return String(decoding: out, as: UTF8.self) }
        guard b == UInt8(ascii: "\\") else {
          out.append(b)
          continue
        }
        guard index < bytes.count else { return nil }
        let e = bytes[index]
        index += 1
        switch e {
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "u"):
          guard index + 4 <= bytes.count,
            let code = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16)
          else { return nil }
          index += 4
          out += Array(String(Unicode.Scalar(code) ?? "\u{FFFD}").utf8)
        default: out.append(e)
        }
      }
      return nil
    }

    /// Skips an object or array, strings inside included.
    mutating func skipNested() -> Bool {
      var depth = 0
      while index < bytes.count {
        switch bytes[index] {
        case UInt8(ascii: "\""):
          guard string() != nil else { return false }
          continue
        case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
        case UInt8(ascii: "}"), UInt8(ascii: "]"):
          depth -= 1
          if depth == 0 {
            index += 1
            return true
          }
        default: break
        }
        index += 1
      }
      return false
    }
  }
}
