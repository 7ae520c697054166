import Foundation

/// The loopback Healthchecks stand-in (Tests/Peers/healthchecks_server.py),
/// started for one test and stopped when it is released.
public final class HealthchecksServer {
  private let peer: LoopbackPeer
  public var port: Int { peer.port }

  public struct Ping: Decodable {
    public var method: String
    public var path: String
    public var kind: String
    public var check: String?
    /// For an exit-status ping (`kind` "exit"): its number.
    public var exitStatus: Int?
    public var rid: String?
    public var headers: [String: String]
    public var bodyB64: String
    public var bodyLength: Int
    public var bodyUtf8: Bool
    public var time: Double
    public var status: StatusValue

    public var body: Data { Data(base64Encoded: bodyB64) ?? Data() }
    public var bodyText: String { String(decoding: body, as: UTF8.self) }
  }

  /// An HTTP status, or "stalled" / "closed" for injected faults.
  public enum StatusValue: Decodable, Equatable {
    case code(Int)
    case fault(String)
    public init(from decoder: Decoder) throws {
      let c = try decoder.singleValueContainer()
      if let n = try? c.decode(Int.self) {
        self = .code(n)
      } else {
        self = .fault(try c.decode(String.self))
      }
    }
  }

  /// `port` 0 takes a free one; a given one brings a server back where an
  /// earlier one was (a peer that was down and is back).
  public init(checks: [String], pingBodyLimit: Int? = nil, port: Int = 0) throws {
    var args = ["--port", String(port)]
    for c in checks { args += ["--check", c] }
    if let pingBodyLimit { args += ["--ping-body-limit", String(pingBodyLimit)] }
    peer = try LoopbackPeer(script: "healthchecks_server.py", arguments: args)
  }

  static var decoder: JSONDecoder {
    let d = JSONDecoder()
    d.keyDecodingStrategy = .convertFromSnakeCase
    return d
  }

  public var baseURL: String { "http://127.0.0.1:\(port)" }

  public func requests() throws -> [Ping] {
    try Self.decoder.decode([Ping].self, from: control("GET", "/_control/requests"))
  }

  /// Forgets the recorded requests and queued faults.
  public func reset() throws {
    _ = try control("POST", "/_control/reset", body: Data("{}".utf8))
  }

  /// Queues faults for the next pings, e.g. `[["status": 500]]`.
  public func inject(_ faults: [[String: Any]]) throws {
    _ = try control(
      "POST", "/_control/faults", body: JSONSerialization.data(withJSONObject: faults))
  }

  private func control(_ method: String, _ path: String, body: Data? = nil) throws -> Data {
    try peer.control(method, path, body: body)
  }
}
