import Foundation

/// Where the package, the test peers and the built binary are.
public enum Paths {
  public static let packageRoot: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  public static let peers = packageRoot.appendingPathComponent("Tests/Peers")

  /// The notify-unit binary SwiftPM built beside the test bundle.
  public static var notifyUnit: String {
    let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? ""
    return URL(fileURLWithPath: exe).deletingLastPathComponent()
      .appendingPathComponent("notify-unit").path
  }

  public static let journalRemote = "/lib/systemd/systemd-journal-remote"

  /// The Swift runtime a debug build links to (bound into test containers),
  /// nil when the binary needs none.
  public static var swiftRuntime: String? {
    let toolchain = "/opt/swift"
    return FileManager.default.fileExists(atPath: toolchain) ? toolchain : nil
  }

  /// Debian's python3 (the test peers use only its standard library).
  public static let python = "/usr/bin/python3"

  /// A fresh temporary directory, removed by the caller's `defer`.
  public static func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory
      .appendingPathComponent("notify-unit-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }
}
