import Foundation

/// Real journal files for tests, written by systemd's own
/// systemd-journal-remote from journal export format: what sd-journal and
/// journalctl read in production, with no journald running.
public struct JournalFixture {
  public struct Entry {
    public var fields: [(String, [UInt8])]
    public init(_ fields: [(String, [UInt8])]) { self.fields = fields }
  }

  public static let baseTime: UInt64 = 1_795_000_000_000_000

  /// A line a service printed (carries `_SYSTEMD_INVOCATION_ID`).
  public static func serviceLine(
    _ message: [UInt8], invocation: String, at usec: UInt64, priority: Int = 6,
    identifier: String = "restic", pid: String = "4242", unit: String = "backup.service"
  ) -> Entry {
    Entry([
      ("__REALTIME_TIMESTAMP", Array(String(usec).utf8)),
      ("_SYSTEMD_INVOCATION_ID", Array(invocation.utf8)),
      ("_SYSTEMD_UNIT", Array(unit.utf8)),
      ("PRIORITY", Array(String(priority).utf8)),
      ("SYSLOG_IDENTIFIER", Array(identifier.utf8)),
      ("_PID", Array(pid.utf8)),
      ("MESSAGE", message),
    ])
  }

  /// A message of the system manager about the unit (carries `INVOCATION_ID`).
  public static func managerLine(
    _ message: String, invocation: String, at usec: UInt64, unit: String = "backup.service",
    field: String = "INVOCATION_ID"
  ) -> Entry {
    Entry([
      ("__REALTIME_TIMESTAMP", Array(String(usec).utf8)),
      (field, Array(invocation.utf8)),
      ("UNIT", Array(unit.utf8)),
      ("PRIORITY", Array("6".utf8)),
      ("SYSLOG_IDENTIFIER", Array("systemd".utf8)),
      ("_PID", Array("1".utf8)),
      ("MESSAGE", Array(message.utf8)),
    ])
  }

  /// Export format: `FIELD=value`, or the binary form (`FIELD\n`, 64-bit LE
  /// length, bytes, `\n`) for values with newlines or control bytes.
  public static func export(_ entries: [Entry]) -> Data {
    var out = Data()
    for entry in entries {
      for (name, value) in entry.fields {
        if value.contains(where: { $0 < 0x20 && $0 != 0x09 }) {
          out.append(contentsOf: Array(name.utf8) + [0x0A])
          var length = UInt64(value.count).littleEndian
          withUnsafeBytes(of: &length) { out.append(contentsOf: $0) }
          out.append(contentsOf: value + [0x0A])
        } else {
          out.append(contentsOf: Array(name.utf8) + [0x3D] + value + [0x0A])
        }
      }
      out.append(0x0A)
    }
    return out
  }

  /// Writes the entries as `NAME.journal` in `directory`; returns its path.
  @discardableResult
  public static func write(_ entries: [Entry], in directory: URL, name: String = "test")
    throws -> String
  {
    let path = directory.appendingPathComponent("\(name).journal").path
    let result = try Command.run(
      Paths.journalRemote, ["--output=\(path)", "--split-mode=none", "-"],
      stdin: export(entries))
    guard result.status == 0, FileManager.default.fileExists(atPath: path) else {
      throw TestFailure("systemd-journal-remote failed (\(result.status)): \(result.stderr)")
    }
    return path
  }

  /// A fresh invocation ID (32 hex digits).
  public static func newInvocation() -> String {
    UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
  }
}
