import Foundation

/// A test peer script of Tests/Peers run with python3 on 127.0.0.1: started
/// for one test (its first line says "PORT n"), asked through its
/// /_control/ endpoints with python's urllib (so the tests do not use the
/// code under test), and killed when released.
public final class LoopbackPeer {
  public let port: Int
  private let process: Process

  public init(script: String, arguments: [String]) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: Paths.python)
    process.arguments = [Paths.peers.appendingPathComponent(script).path] + arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    try process.runAlone()
    // Only the peer writes: a peer that dies then reads as the end of file.
    try? pipe.fileHandleForWriting.close()
    defer { try? pipe.fileHandleForReading.close() }
    var line = Data()
    while !line.contains(0x0A) {
      let chunk = pipe.fileHandleForReading.availableData
      if chunk.isEmpty { throw TestFailure("\(script) did not start") }
      line.append(chunk)
    }
    let text = String(decoding: line, as: UTF8.self)
    guard let port = Int(text.split(separator: " ").last?.split(separator: "\n").first ?? "") else {
      throw TestFailure("\(script) said \(text)")
    }
    self.port = port
    self.process = process
  }

  deinit {
    // SIGKILL: a child of a test runner thread may start with SIGTERM blocked.
    kill(process.processIdentifier, SIGKILL)
    process.waitUntilExit()
  }

  public var baseURL: String { "http://127.0.0.1:\(port)" }

  public func control(_ method: String, _ path: String, body: Data? = nil) throws -> Data {
    let script = """
      import sys, urllib.request
      req = urllib.request.Request(sys.argv[1], method=sys.argv[2], data=sys.argv[3].encode() if len(sys.argv) > 3 else None)
      sys.stdout.buffer.write(urllib.request.urlopen(req, timeout=10).read())
      """
    var pyArgs = ["-c", script, "\(baseURL)\(path)", method]
    if let body { pyArgs.append(String(decoding: body, as: UTF8.self)) }
    let result = try Command.run(Paths.python, pyArgs)
    guard result.status == 0 else { throw TestFailure("control \(path): \(result.stderr)") }
    return result.stdout
  }
}
