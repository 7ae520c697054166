import NotifyUnitCore

#if canImport(Glibc)
  import Glibc
#endif

extension UnitStateStore {
  /// Every unit with a record in `directory`, read without changing
  /// anything (a file that is not a state is skipped here, not moved
  /// aside): for `notify-unit status`. Empty when the directory is missing.
  /// A missing directory holds no records (nothing reported yet); one that
  /// cannot be read is an error, never an empty list.
  public static func records(in directory: String) throws(FileError) -> [(
    unit: String, record: Record
  )] {
    let trusted: TrustedDirectory
    do {
      trusted = try TrustedDirectory(directory, what: "the state directory")
    } catch {
      if error.isMissing { return [] }
      throw error
    }
    var found: [(String, Record)] = []
    // A file notify-unit did not write (another user's, a link) is no record.
    for name in try trusted.names() where name.hasSuffix(".state") && !name.hasPrefix(".") {
      guard let bytes = try? trusted.read(name, maxBytes: 4096),
        let record = UnitStateRecord.parse(String(decoding: bytes, as: UTF8.self))
      else { continue }
      found.append((unescapedUnitName(String(name.dropLast(6))), record))
    }
    return found.sorted { $0.0 < $1.0 }
  }
}
