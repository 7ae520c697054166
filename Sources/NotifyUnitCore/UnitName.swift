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
