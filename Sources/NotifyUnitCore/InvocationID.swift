/// A systemd invocation ID as 32 lowercase hex digits, from that form or the
/// UUID form; nil for anything else (it is put into journal matches).
public func normalizedInvocationID(_ text: String) -> String? {
  let hex = text.trimmingASCIIWhitespace.lowercased().filter { $0 != "-" }
  guard hex.utf8.count == 32, hex.utf8.allSatisfy(PingTarget.isHex) else { return nil }
  return hex
}
