/// Quoted-printable (RFC 2045 §6.7) for the readable text part: any log line,
/// however long, becomes lines of at most 76 characters.
///
/// Beyond the RFC's rules, "From " at the start of an output line is written
/// "=46rom " so mbox delivery cannot turn it into ">From ", and a "." alone
/// on an output line is written "=2E". `sendmail -oi` is what protects the
/// message from a lone "."; this only adds a second guard.
public enum QuotedPrintable {

  /// Encodes text whose lines end in "\n"; output lines end in "\n".
  public static func encode(_ text: [UInt8]) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(text.count + text.count / 8)
    var lineStart = 0
    for i in text.indices where text[i] == 0x0A {
      encodeLine(text[lineStart..<i], to: &out)
      lineStart = i + 1
    }
    if lineStart < text.count { encodeLine(text[lineStart...], to: &out) }
    return out
  }

  static let from = Array("From ".utf8)

  static func encodeLine(_ line: ArraySlice<UInt8>, to out: inout [UInt8]) {
    var column = 0
    for i in line.indices {
      let b = line[i]
      let isLast = i == line.endIndex - 1
      var literal = (b >= 0x21 && b <= 0x7E && b != 0x3D) || ((b == 0x20 || b == 0x09) && !isLast)
      // Keep room for the soft break "=" within 76 columns.
      if column + (literal ? 1 : 3) > (isLast ? 76 : 75) {
        out += [0x3D, 0x0A]
        column = 0
      }
      // At the start of an output line (after a soft break too): "From "
      // would become ">From " in an mbox, and a lone "." would end the
      // message at an MTA run without -oi.
      if column == 0, (b == 0x46 && line[i...].starts(with: from)) || (b == 0x2E && isLast) {
        literal = false
      }
      if literal {
        out.append(b)
        column += 1
      } else {
        out.append(0x3D)
        Hex.append(b, to: &out, uppercase: true)
        column += 3
      }
    }
    out.append(0x0A)
  }
}
