import Foundation

/// Debian's exim4 as a real SMTP server on a loopback port of its own, for
/// one test: what a sandboxed notify-unit submits to instead of sendmail.
/// It delivers like the sendmail tests' exim does, to /var/mail/USER.
public final class MTADaemon {
  public let port: Int
  private let process: Process

  /// `messageSizeLimit` ("1K") lowers exim's limit: a real 5xx refusal.
  public init(messageSizeLimit: String? = nil) throws {
    guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/exim4") else {
      throw TestFailure("exim4 is not installed: run scripts/setup")
    }
    port = try Self.freePort()
    let dir = try Paths.temporaryDirectory()
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/sbin/exim4")
    // -bdf: the daemon in the foreground, so it ends with the test;
    // -oX: only this port; -oP: its own pid file, not the system's.
    process.arguments =
      ["-bdf", "-oX", String(port), "-oP", dir.appendingPathComponent("pid").path]
      + (messageSizeLimit.map { ["-DMESSAGE_SIZE_LIMIT=\($0)"] } ?? [])
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.runAlone()
    self.process = process
    let limit = Date().addingTimeInterval(10)
    while !Self.accepts(port) {
      guard Date() < limit, process.isRunning else {
        throw TestFailure("exim4 did not listen on 127.0.0.1:\(port)")
      }
      usleep(50_000)
    }
  }

  deinit {
    // SIGKILL: a child of a test runner thread may start with SIGTERM blocked.
    kill(process.processIdentifier, SIGKILL)
    process.waitUntilExit()
  }

  public var url: String { "smtp://127.0.0.1:\(port)" }

  /// A port nothing listens on now (the kernel's pick for port 0).
  public static func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let ok = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
      }
    }
    guard ok else { throw TestFailure("no free loopback port") }
    return Int(UInt16(bigEndian: address.sin_port))
  }

  static func accepts(_ port: Int) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    return withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
      }
    }
  }
}
