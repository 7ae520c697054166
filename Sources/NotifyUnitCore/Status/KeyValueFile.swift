/// The small files of the state directory: a header line, then one
/// "key=value" a line. Split by bytes, not by Characters: a value starting
/// with a combining mark would join the "=" into one Character (and CR LF
/// is one too), and the line would no longer read.
enum KeyValueFile {
  /// The values by key (the last of a repeated key); nil when the first
  /// line is not `header` or a line that is not empty has no "=".
  static func values(_ text: String, header: String) -> [String: String]? {
    let lines = text.utf8.split(separator: 0x0A, omittingEmptySubsequences: false)
    guard let first = lines.first, first.elementsEqual(header.utf8) else { return nil }
    var values: [String: String] = [:]
    for line in lines.dropFirst() where !line.isEmpty {
      guard let eq = line.firstIndex(of: UInt8(ascii: "=")) else { return nil }
      values[String(decoding: line[..<eq], as: UTF8.self)] = String(
        decoding: line[line.index(after: eq)...], as: UTF8.self)
    }
    return values
  }
}
