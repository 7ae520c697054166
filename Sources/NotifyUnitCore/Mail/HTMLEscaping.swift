/// Text made safe for an HTML document, as element content or as a quoted
/// attribute value: `&`, `<`, `>`, `"` and `'` become character references,
/// so no log byte can open a tag, end an attribute or start an entity.
public enum HTMLEscaping {
  public static func append(_ bytes: some Sequence<UInt8>, to out: inout [UInt8]) {
    for b in bytes {
      switch b {
      case 0x26: out += amp
      case 0x3C: out += lt
      case 0x3E: out += gt
      case 0x22: out += quot
      case 0x27: out += apos
      default: out.append(b)
      }
    }
  }

  public static func append(_ text: String, to out: inout [UInt8]) { append(text.utf8, to: &out) }

  static let amp = Array("&amp;".utf8)
  static let lt = Array("&lt;".utf8)
  static let gt = Array("&gt;".utf8)
  static let quot = Array("&quot;".utf8)
  static let apos = Array("&#39;".utf8)
}
