#if canImport(Glibc)
  import Glibc
#endif

/// The state directories inside a state directory: in root's
/// /var/lib/notify-unit, each user's (the shipped units'
/// `StateDirectory=notify-unit/USER`, which systemd makes there). Every
/// subdirectory but the spool and hidden names, by name; none for a
/// directory that holds only its own state.
public enum NestedStateDirectories {
  public static func below(_ directory: String) -> [String] {
    guard let dir = opendir(directory) else { return [] }
    defer { closedir(dir) }
    var found: [String] = []
    while let item = readdir(dir) {
      let name = withUnsafeBytes(of: item.pointee.d_name) { raw in
        String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
      }
      guard !name.hasPrefix("."), name != "spool" else { continue }
      var st = stat()
      let path = directory + "/" + name
      // lstat: a link out of the directory is not one of its users'.
      if lstat(path, &st) == 0, st.st_mode & S_IFMT == S_IFDIR { found.append(path) }
    }
    return found.sorted()
  }
}
