import Foundation

/// The loopback ntfy stand-in and webhook recorder (Tests/Peers/push_server.py).
public final class PushServer {
  private let peer: LoopbackPeer

  /// With `token` or `user` ("name:password"), ntfy requires that Authorization.
  public init(token: String? = nil, user: String? = nil) throws {
    var args = ["--port", "0"]
    if let token { args += ["--token", token] }
    if let user { args += ["--user", user] }
    peer = try LoopbackPeer(script: "push_server.py", arguments: args)
  }

  public var baseURL: String { peer.baseURL }
  public var port: Int { peer.port }

  public struct Request: Decodable {
    public var method: String
    public var path: String
    /// "ntfy" or "hook".
    public var kind: String?
    public var headers: [String: String]
    public var bodyB64: String
    public var status: Int
    public var topic: String?
    public var title: String?
    public var priority: Int?
    public var tags: [String]?
    public var message: String?

    public var body: Data { Data(base64Encoded: bodyB64) ?? Data() }
    public var bodyText: String { String(decoding: body, as: UTF8.self) }
  }

  public func requests() throws -> [Request] {
    let decoder = JSONDecoder()
    decoder.keyDecodingStrategy = .convertFromSnakeCase
    return try decoder.decode([Request].self, from: peer.control("GET", "/_control/requests"))
  }

  public func reset() throws {
    _ = try peer.control("POST", "/_control/reset", body: Data("{}".utf8))
  }

  /// Answers the next requests with these statuses (429 as ntfy's rate limit).
  /// `echo`: each answer's body holds the request's headers, credentials
  /// included (a hostile peer, or a debugging proxy).
  public func inject(statuses: [Int], echo: Bool = false) throws {
    let faults: [[String: Any]] = statuses.map { ["status": $0, "echo": echo] }
    _ = try peer.control(
      "POST", "/_control/faults", body: JSONSerialization.data(withJSONObject: faults))
  }
}
