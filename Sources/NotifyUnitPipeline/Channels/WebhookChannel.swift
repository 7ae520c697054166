import NotifyUnitCore
import NotifyUnitSystem

/// The report as one JSON document POSTed to a webhook (WEBHOOK_URL, one
/// channel a URL): notify-unit's own schema (docs/webhook.md) or Slack's
/// incoming-webhook form (WEBHOOK_FORMAT=slack), with an Authorization
/// header's value from WEBHOOK_AUTHORIZATION_FILE.
public struct WebhookChannel: Channel {
  public let name = "webhook"
  public let policyKey = "WEBHOOK_ON"
  public let wantsLogArchive = false
  public var url: WebURL
  public var format: WebhookPayload.Format
  public var authorization: String?
  public var settings: Settings
  public var renderer: LogRenderer
  public var log: (String) -> Void

  public init(
    url: WebURL, format: WebhookPayload.Format, authorization: String?, settings: Settings,
    renderer: LogRenderer, log: @escaping (String) -> Void = say
  ) {
    self.url = url
    self.format = format
    self.authorization = authorization
    self.settings = settings
    self.renderer = renderer
    self.log = log
  }

  func body(_ report: Report) -> [UInt8] {
    switch format {
    case .json: WebhookPayload.json(report, renderer: renderer)
    case .slack: WebhookPayload.slack(report)
    }
  }

  public func deliver(_ delivery: Delivery, deadline: Deadline) -> ChannelResult {
    let body = body(delivery.report)
    if delivery.dryRun {
      Host.printError("webhook: POST \(url.shown) (\(format.rawValue), \(body.count) bytes)")
      Host.printError(String(decoding: body, as: UTF8.self))
      return .delivered
    }
    var request = SpooledRequest(channel: name, target: url.url, body: body)
    request.contentType = "application/json"
    if let authorization { request.headers = [.init("Authorization", authorization)] }
    return RequestSpooling.deliver(
      request, unit: delivery.report.unit, created: delivery.report.createdAt,
      spool: delivery.spool, log: log
    ) {
      RequestSpooling.post(request, to: url, settings: settings, deadline: deadline, log: log)
    }
  }
}
