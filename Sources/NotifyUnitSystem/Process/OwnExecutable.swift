#if canImport(Glibc)
  import Glibc
#endif

/// Where the running notify-unit is (the package's /usr/bin/notify-unit, a
/// source install's), for fixes that write a unit's line with it.
public enum OwnExecutable {
  public static var path: String? {
    var buffer = [CChar](repeating: 0, count: 4096)
    let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
    guard n > 0 else { return nil }
    return String(decoding: buffer.prefix(n).map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }
}
