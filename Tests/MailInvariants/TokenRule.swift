/// Machine-readable header tokens (X-Notify-Unit-Result, the boundary's
/// nonce, the attachment's name), from the documented rule of
/// `HeaderEncoding.token`: the first `maxLength` bytes of the UTF-8, each
/// letter, digit, "-", "." and "@" kept and every other byte shown as "_".
enum TokenRule {
  static let kept = Set(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-.@".utf8)

  static func token(_ text: String, maxLength: Int) -> String {
    var out = ""
    for b in text.utf8.prefix(maxLength) {
      out.append(kept.contains(b) ? Character(Unicode.Scalar(b)) : "_")
    }
    return out
  }
}
