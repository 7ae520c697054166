import Foundation

/// What `scripts/check-secrets` (run by .ci/run after the tests) greps: the
/// secrets the tests used, and everything notify-unit printed, mailed or
/// named a spool file while they ran. A secret found there in full fails CI.
/// The tests register each check, ping key and password they make through
/// `secret(_:)`; notify-unit's outputs are recorded by `Command.run`.
public enum SecretLedger {
  /// NOTIFY_UNIT_SECRET_LEDGER, else .build/secret-ledger in the package.
  public static let directory: URL = {
    if let dir = ProcessInfo.processInfo.environment["NOTIFY_UNIT_SECRET_LEDGER"], !dir.isEmpty {
      return URL(fileURLWithPath: dir)
    }
    return Paths.packageRoot.appendingPathComponent(".build/secret-ledger")
  }()

  static let lock = NSLock()

  /// Records `value` as a secret and returns it.
  @discardableResult
  public static func secret(_ value: String) -> String {
    append(Data((value + "\n").utf8), to: directory.appendingPathComponent("secrets"))
    return value
  }

  /// A fresh check UUID, recorded as a secret.
  public static func newCheck() -> String { secret(UUID().uuidString.lowercased()) }

  /// Keeps an output (stdout, stderr, a mailbox, a listing of file names)
  /// for the scan.
  public static func output(_ data: Data, label: String) {
    guard !data.isEmpty else { return }
    let outputs = directory.appendingPathComponent("outputs")
    try? FileManager.default.createDirectory(at: outputs, withIntermediateDirectories: true)
    let name = label.map { $0.isLetter || $0.isNumber ? $0 : "-" }.prefix(40)
    try? data.write(to: outputs.appendingPathComponent("\(String(name))-\(UUID().uuidString)"))
  }

  /// Keeps the names of every file under `path` (spool entries, state
  /// files) and the contents of the reports kept there for resend.
  public static func directoryTree(_ path: String, label: String) {
    guard let walker = FileManager.default.enumerator(atPath: path) else { return }
    var names = ""
    for case let name as String in walker {
      names += name + "\n"
      if name.hasSuffix(".eml"), let data = FileManager.default.contents(atPath: path + "/" + name)
      {
        output(data, label: label + "-report")
      }
    }
    output(Data(names.utf8), label: label + "-names")
  }

  static func append(_ data: Data, to file: URL) {
    lock.lock()
    defer { lock.unlock() }
    try? FileManager.default.createDirectory(
      at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
    if let handle = try? FileHandle(forWritingTo: file) {
      handle.seekToEndOfFile()
      handle.write(data)
      try? handle.close()
    } else {
      try? data.write(to: file)
    }
  }
}
