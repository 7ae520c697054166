import Foundation

/// A mail message as Python's email package (a real mail client's parser)
/// sees it: see Tests/Peers/check_message.py.
public struct ParsedMessage: Decodable {
  public struct Part: Decodable {
    public var contentType: String
    public var charset: String?
    public var transferEncoding: String?
    public var filename: String?
    public var disposition: String?
    public var text: String
  }
  public var defects: [String]
  public var maxLineOctets: Int
  public var headerNames: [String]
  public var headers: [String: String]
  public var rawHeaders: [String: String]
  public var isMultipart: Bool
  public var parts: [Part]
  public var size: Int

  public static func parse(_ message: Data) throws -> ParsedMessage {
    let dir = try Paths.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let file = dir.appendingPathComponent("message.eml")
    try message.write(to: file)
    let result = try Command.run(
      Paths.python,
      [Paths.peers.appendingPathComponent("check_message.py").path, file.path])
    guard result.status == 0 else { throw TestFailure("check_message.py: \(result.stderr)") }
    let decoder = JSONDecoder()
    decoder.keyDecodingStrategy = .convertFromSnakeCase
    return try decoder.decode(ParsedMessage.self, from: result.stdout)
  }

  public var body: String { parts.first?.text ?? "" }
  /// The text part without the command that ends it ("The whole run, on
  /// HOST:" and a journalctl line): where the log's last line is.
  public var bodyLog: String {
    guard let r = body.range(of: "\n\nThe whole run, on ", options: .backwards) else { return body }
    return String(body[..<r.lowerBound]) + "\n"
  }
  public var html: String? { parts.first { $0.contentType == "text/html" }?.text }
  public var attachment: Part? { parts.first { $0.disposition == "attachment" } }
}
