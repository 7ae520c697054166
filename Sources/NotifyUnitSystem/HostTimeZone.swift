#if canImport(Glibc)
  import Glibc
#endif

/// The host's time zone, in which systemd reads an OnCalendar= expression
/// that names none: /etc/timezone (Debian's), else the zone /etc/localtime
/// links to, else UTC (systemd's own fallback without /etc/localtime).
public enum HostTimeZone {
  public static func name(root: String = "") -> String {
    if case .success(let text) = Host.readFile(root + "/etc/timezone", maxBytes: 256) {
      let zone = text.firstLineTrimmed
      if isZoneName(zone) { return zone }
    }
    var buffer = [CChar](repeating: 0, count: 4096)
    let n = readlink(root + "/etc/localtime", &buffer, buffer.count - 1)
    if n > 0 {
      let target = String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
      if let r = target.firstRange(of: "zoneinfo/") {
        let zone = String(target[r.upperBound...])
        if isZoneName(zone) { return zone }
      }
    }
    return "UTC"
  }

  /// "Europe/Berlin", "UTC", "America/Argentina/Buenos_Aires".
  static func isZoneName(_ s: String) -> Bool {
    !s.isEmpty && !s.hasPrefix("/") && !s.contains("..")
      && s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "/_-+".contains($0)) }
  }
}
