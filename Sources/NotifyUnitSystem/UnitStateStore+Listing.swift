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
    guard let dir = opendir(directory) else {
      if errno == ENOENT { return [] }
      throw FileError(path: directory, errno: errno, action: "read the state directory")
    }
    defer { closedir(dir) }
    var found: [(String, Record)] = []
    while let item = readdir(dir) {
      let name = withUnsafeBytes(of: item.pointee.d_name) { raw in
        String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
      }
      guard name.hasSuffix(".state"), !name.hasPrefix("."),
        case .success(let text) = Host.readFile(directory + "/" + name, maxBytes: 4096),
        let record = parse(text)
      else { continue }
      found.append((unescapedUnitName(String(name.dropLast(6))), record))
    }
    return found.sorted { $0.0 < $1.0 }
  }
}
