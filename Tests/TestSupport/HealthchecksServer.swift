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

    /// What the server kept of the body: its first Ping-Body-Limit bytes.
    public var storedB64: String
    public var storedLength: Int

    public var body: Data { Data(base64Encoded: bodyB64) ?? Data() }
    public var bodyText: String { String(decoding: body, as: UTF8.self) }
    public var stored: Data { Data(base64Encoded: storedB64) ?? Data() }
    public var storedText: String { String(decoding: stored, as: UTF8.self) }
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
  /// `checks`: UUIDs, or `KEY/slug` checks under `pingKeys`; another slug
  /// under a ping key is created by a ping with `?create=1`.
  public init(
    checks: [String], pingKeys: [String] = [], pingBodyLimit: Int? = nil,
    apiKey: String? = nil, readOnlyAPIKey: String? = nil, port: Int = 0
  ) throws {
    var args = ["--port", String(port)]
    for c in checks { args += ["--check", c] }
    for k in pingKeys { args += ["--ping-key", k] }
    if let apiKey { args += ["--api-key", apiKey] }
    if let readOnlyAPIKey { args += ["--read-only-api-key", readOnlyAPIKey] }
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

  /// A check as the Management API shows it (GET /api/v3/checks/UUID).
  public func check(_ uuid: String, apiKey: String) throws -> [String: Any] {
    let script = """
      import sys, urllib.request
      req = urllib.request.Request(sys.argv[1], headers={"X-Api-Key": sys.argv[2]})
      sys.stdout.buffer.write(urllib.request.urlopen(req, timeout=10).read())
      """
    let result = try Command.run(
      Paths.python, ["-c", script, "\(baseURL)/api/v3/checks/\(uuid)", apiKey])
    guard result.status == 0 else { throw TestFailure("GET check: \(result.stderr)") }
    return try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any] ?? [:]
  }

  /// The server's Ping-Body-Limit from now on (an admin changing it).
  public func setPingBodyLimit(_ limit: Int) throws {
    _ = try control(
      "POST", "/_control/config", body: Data("{\"ping_body_limit\": \(limit)}".utf8))
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
