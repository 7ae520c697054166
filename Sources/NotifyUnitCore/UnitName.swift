/// A unit name as a file or object-path label: every byte but [A-Za-z0-9]
/// as _XX (systemd's bus label escaping), so nothing in a name can reach
/// another directory or form "..".
public func escapedUnitName(_ unit: String) -> String {
  let hex = Array("0123456789abcdef".utf8)
  var label: [UInt8] = []
  for b in unit.utf8 {
    if (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) {
      label.append(b)
    } else {
      label += [0x5F, hex[Int(b >> 4)], hex[Int(b & 15)]]
    }
  }
  return String(decoding: label, as: UTF8.self)
}

/// The unit name an `escapedUnitName` label stands for; the label itself
/// when it is not one.
public func unescapedUnitName(_ label: String) -> String {
  var bytes: [UInt8] = []
  var i = label.utf8.startIndex
  let utf8 = label.utf8
  while i < utf8.endIndex {
    let b = utf8[i]
    if b == 0x5F {
      let hex = utf8[utf8.index(after: i)...].prefix(2)
      guard hex.count == 2, let value = UInt8(String(decoding: hex, as: UTF8.self), radix: 16)
      else { return label }
      bytes.append(value)
      i = utf8.index(i, offsetBy: 3)
    } else {
      bytes.append(b)
      i = utf8.index(after: i)
    }
  }
  return String(decoding: bytes, as: UTF8.self)
}
