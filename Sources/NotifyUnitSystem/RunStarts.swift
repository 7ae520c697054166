import NotifyUnitCore

#if canImport(Glibc)
  import Glibc
#endif

/// The runs that started and have not reported yet, one small file a run
/// in the state directory (`UNIT@INVOCATION.started`, 0600: it may hold the
/// check's ping URL). `notify-unit start` (ExecStartPre=) writes it; the
/// run's own report (ExecStopPost=) removes it. One left from an earlier
/// boot is a run the machine stopped under: interrupted.
///
/// The boot is told by the kernel's boot ID (/proc/sys/kernel/random/boot_id,
/// new at every boot; systemd-nspawn gives each container boot its own),
/// never by time: a clock that jumps cannot make a run interrupted.
public struct RunStarts {
  public let directory: String

  public typealias Start = RunStart

  public init(directory: String) {
    self.directory = directory
  }

  static let suffix = ".started"

  /// This boot's ID, 32 hex digits: the kernel's, else (ProcSubset=pid
  /// hides it) the journal's for this process's invocation (a unit's
  /// INVOCATION_ID); nil when neither says.
  public static func currentBootID(
    path: String = "/proc/sys/kernel/random/boot_id",
    environment: [String: String] = Host.environment, journal: JournalSource = .local
  ) -> String? {
    if case .success(let text) = Host.readFile(path, maxBytes: 100) {
      let id = String(text.lowercased().filter { $0.isHexDigit })
      return id.count == 32 ? id : nil
    }
    return environment["INVOCATION_ID"].flatMap {
      JournalBootID.of(invocation: $0, source: journal)
    }
  }

  func name(_ unit: String, _ invocation: String) -> String {
    escapedUnitName(unit) + "@" + invocation + Self.suffix
  }

  /// The directory, checked (`TrustedDirectory`).
  func trusted() throws(FileError) -> TrustedDirectory {
    try TrustedDirectory(directory, what: "the state directory")
  }

  /// Records a run's start, atomically.
  public func record(_ start: Start) throws(FileError) {
    try trusted().replace(
      name(start.unit, start.invocationID), with: Array(start.formatted.utf8), mode: 0o600)
  }

  /// The unit's run ended and reports: its start, and any other of the
  /// unit's in this boot (a unit runs once at a time), are forgotten.
  /// Starts of other boots stay, to be reported as interrupted.
  public func finished(unit: String, bootID: String?) {
    let prefix = escapedUnitName(unit) + "@"
    guard let trusted = try? trusted() else { return }
    for (name, start) in all() where name.hasPrefix(prefix) {
      if start == nil || start?.bootID == bootID { trusted.remove(name) }
    }
  }

  /// Starts recorded in another boot than `bootID`: runs the machine
  /// stopped under.
  public func interrupted(currentBootID bootID: String) -> [Start] {
    all().compactMap { $0.1 }.filter { $0.bootID != bootID }.sorted { $0.time < $1.time }
  }

  /// Takes the start away so that no other notify-unit reports it too (an
  /// unlink succeeds once); false when another took it first. Its report
  /// then goes out, or into the spool, like any other.
  public func claim(_ start: Start) -> Bool {
    guard let trusted = try? trusted() else { return false }
    return trusted.remove(name(start.unit, start.invocationID)) == nil
  }

  /// Every start file's name and its contents (nil when unreadable). A
  /// file notify-unit did not write (another user's, a link) is left out
  /// and in place: never reported, never removed.
  func all() -> [(String, Start?)] {
    guard let trusted = try? trusted(), let names = try? trusted.names() else { return [] }
    var result: [(String, Start?)] = []
    for name in names where name.hasSuffix(Self.suffix) {
      do {
        let bytes = try trusted.read(name, maxBytes: 8192)
        result.append((name, RunStart.parse(String(decoding: bytes, as: UTF8.self))))
      } catch  where error.isRefusal {
        continue
      } catch {
        result.append((name, nil))
      }
    }
    return result
  }
}
