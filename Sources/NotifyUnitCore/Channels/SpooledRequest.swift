/// A channel's report as the spool keeps it until it is delivered: an HTTP
/// POST (ntfy, a webhook) or a command run with the body on its stdin
/// (Apprise). Its file holds the target and credentials, so the spool keeps
/// it 0600 and never names it by them.
public struct SpooledRequest: Sendable, Equatable {
  /// The channel's name: "ntfy", "webhook", "apprise".
  public var channel: String
  /// The channels whose reports are spooled as requests.
  public static let channels: Set<String> = ["ntfy", "webhook", "apprise"]
  /// The URL POSTed to, or the program run.
  public var target: String
  public var headers: [Header] = []
  public var contentType = "text/plain; charset=utf-8"
  /// The program's arguments (a command's request).
  public var arguments: [String] = []
  public var body: [UInt8]

  public struct Header: Sendable, Equatable {
    public var name: String
    public var value: String
    public init(_ name: String, _ value: String) {
      self.name = name
      self.value = value
    }
  }

  public init(channel: String, target: String, body: [UInt8]) {
    self.channel = channel
    self.target = target
    self.body = body
  }

  /// Reports to one destination keep their order: one queue a channel and
  /// target (and a command's arguments name its URL file).
  public var queue: String { channel + " " + target + " " + arguments.joined(separator: " ") }

  static let magic = "notify-unit-request 1"

  /// One field a line ("name: value", values without line breaks: a
  /// header's was checked, a title is sanitized), a blank line, the body.
  public func encoded() -> [UInt8] {
    var lines = [
      Self.magic, "channel: \(channel)", "target: \(target)", "content-type: \(contentType)",
    ]
    for h in headers { lines.append("header: \(h.name): \(h.value)") }
    for a in arguments { lines.append("argument: \(a)") }
    let head = lines.map { $0.filter { $0 != "\n" && $0 != "\r" } }.joined(separator: "\n")
    return Array((head + "\n\n").utf8) + body
  }

  /// The request in `bytes`; nil when they are not one.
  public static func decode(_ bytes: [UInt8]) -> SpooledRequest? {
    var lines: [String] = []
    var start = 0
    var i = 0
    while i < bytes.count {
      if bytes[i] == 0x0A {
        if i == start { break }  // the blank line: the body follows
        lines.append(String(decoding: bytes[start..<i], as: UTF8.self))
        start = i + 1
      }
      i += 1
    }
    // Lines notify-unit writes hold no control character (it drops CR and
    // LF, a title is sanitized): one that does was written by someone else.
    guard i < bytes.count, lines.first == magic,
      !lines.contains(where: { $0.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F } })
    else { return nil }
    var fields: [(String, String)] = []
    for line in lines.dropFirst() {
      guard let colon = line.firstIndex(of: ":") else { return nil }
      let value = line[line.index(after: colon)...].drop(while: { $0 == " " })
      fields.append((String(line[..<colon]), String(value)))
    }
    // Only a channel notify-unit writes: the name is shown (status, flush).
    guard let channel = fields.first(where: { $0.0 == "channel" })?.1,
      Self.channels.contains(channel),
      let target = fields.first(where: { $0.0 == "target" })?.1
    else { return nil }
    var request = SpooledRequest(channel: channel, target: target, body: Array(bytes[(i + 1)...]))
    for (name, value) in fields {
      switch name {
      case "content-type": request.contentType = value
      case "argument": request.arguments.append(value)
      case "header":
        guard let colon = value.firstIndex(of: ":") else { return nil }
        request.headers.append(
          Header(
            String(value[..<colon]),
            String(value[value.index(after: colon)...].drop(while: { $0 == " " }))))
      default: break
      }
    }
    return request
  }
}
