import NotifyUnitCore
import NotifyUnitSystem

/// The report as an ntfy notification (NTFY_URL, the topic's URL): the
/// headline as Title, the verdict as Priority and Tags, the reason and the
/// log's last lines as the message, within ntfy's 4,096 bytes (over it ntfy
/// makes the message an attachment). Following ntfy's publishing docs.
public struct NtfyChannel: Channel {
  public let name = "ntfy"
  public let policyKey = "NTFY_ON"
  public let wantsLogArchive = false
  public var topic: WebURL
  /// The Authorization header's value: `Bearer tk_…` or `Basic …`.
  public var authorization: String?
  public var settings: Settings
  public var log: (String) -> Void

  public init(
    topic: WebURL, authorization: String?, settings: Settings,
    log: @escaping (String) -> Void = say
  ) {
    self.topic = topic
    self.authorization = authorization
    self.settings = settings
    self.log = log
  }

  /// The header's value for a token file's first line: an access token
  /// (`tk_…`) as a bearer token, `user:password` as basic credentials.
  public static func authorization(credential: String) -> String {
    credential.contains(":") && !credential.hasPrefix("tk_")
      ? "Basic " + Base64.encode(Array(credential.utf8)) : "Bearer " + credential
  }

  /// A header value ntfy decodes: ASCII as it is, anything else as one
  /// RFC 2047 encoded word.
  static func headerValue(_ text: String) -> String {
    text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F })
      ? text : "=?UTF-8?B?" + Base64.encode(Array(text.utf8)) + "?="
  }

  func request(_ message: PushMessage) -> SpooledRequest {
    var request = SpooledRequest(channel: name, target: topic.url, body: Array(message.body.utf8))
    request.headers = [
      .init("Title", Self.headerValue(message.title)),
      .init("Priority", String(message.ntfyPriority)),
      .init("Tags", message.ntfyTags.joined(separator: ",")),
    ]
    if let authorization { request.headers.append(.init("Authorization", authorization)) }
    return request
  }

  public func deliver(_ delivery: Delivery, deadline: Deadline) -> ChannelResult {
    let message = PushMessage(report: delivery.report, maxBodyBytes: PushMessage.ntfyLimit)
    if delivery.dryRun {
      Host.printError(
        "ntfy: POST \(topic.shown) priority \(message.ntfyPriority), tags \(message.ntfyTags.joined(separator: ",")) (\(message.body.utf8.count) bytes)"
      )
      Host.printError("Title: \(message.title)")
      Host.printError(message.body)
      return .delivered
    }
    let request = request(message)
    return RequestSpooling.deliver(
      request, unit: delivery.report.unit, created: delivery.report.createdAt,
      spool: delivery.spool, log: log
    ) {
      RequestSpooling.post(request, to: topic, settings: settings, deadline: deadline, log: log)
    }
  }
}
