/// A unit name as a file or object-path label: every byte but [A-Za-z0-9]
/// as _XX (systemd's bus label escaping), so nothing in a name can reach
/// another directory or form "..".
public func escapedUnitName(_ unit: String) -> String {
  var label: [UInt8] = []
  for b in unit.utf8 {
    if (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) {
      label.append(b)
    } else {
      label.append(0x5F)
      Hex.append(b, to: &label)
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

/// The unit types systemd knows (systemd.unit(5)).
public let unitTypes: Set<String> = [
  "service", "socket", "device", "mount", "automount", "swap", "target", "path", "timer", "slice",
  "scope",
]

/// Why `name` is not a unit name systemd would accept, nil when it is one:
/// `PREFIX[@INSTANCE].TYPE` of at most 255 characters from [A-Za-z0-9:_.\-]
/// (systemd's unit_name_is_valid, for a unit that can run: not a template
/// without its instance).
public func unitNameProblem(_ name: String) -> String? {
  let shown = "\"\(name.sanitizedForDisplay(maxLength: 60))\""
  guard !name.isEmpty else { return "the unit name is empty" }
  guard name.utf8.count <= 255 else { return "\(shown) is longer than 255 characters" }
  guard let dot = name.lastIndex(of: "."),
    unitTypes.contains(String(name[name.index(after: dot)...]))
  else {
    return "\(shown) has no unit type: name it in full, e.g. backup.service"
  }
  let stem = name[..<dot]
  let allowed = { (b: UInt8) in
    (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
      || b == 0x3A || b == 0x5F || b == 0x2E || b == 0x5C || b == 0x2D
  }
  let parts = stem.split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false)
  guard !parts[0].isEmpty, parts.allSatisfy({ $0.utf8.allSatisfy(allowed) }) else {
    return
      "\(shown) is not a unit name (letters, digits and \":-_.\\\" only; escape others with systemd-escape)"
  }
  if parts.count == 2, parts[1].isEmpty {
    return
      "\(shown) is a template: name an instance of it, e.g. \(parts[0])@NAME.\(name[name.index(after: dot)...])"
  }
  return nil
}
