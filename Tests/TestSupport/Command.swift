import Foundation

/// What a finished child process left behind.
public struct CommandResult: Sendable {
  public var status: Int32
  public var stdout: Data
  public var stderr: String
  public var seconds: Double
  public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
}

public enum Command {
  /// Runs a program (no shell) to completion; stdout and stderr go through
  /// files so a chatty child cannot block on a full pipe.
  public static func run(
    _ path: String, _ arguments: [String], environment: [String: String] = [:],
    inheritEnvironment: Bool = true, stdin: Data? = nil, timeout: Double = 120
  ) throws -> CommandResult {
    let dir = try Paths.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = dir.appendingPathComponent("stdout")
    let err = dir.appendingPathComponent("stderr")
    _ = FileManager.default.createFile(atPath: out.path, contents: nil)
    _ = FileManager.default.createFile(atPath: err.path, contents: nil)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    var env = inheritEnvironment ? ProcessInfo.processInfo.environment : [:]
    for name in ["SERVICE_RESULT", "EXIT_CODE", "EXIT_STATUS", "INVOCATION_ID"] {
      env.removeValue(forKey: name)
    }
    // Test peers listen on loopback: never through a proxy of the machine's.
    env["no_proxy"] = "127.0.0.1,localhost"
    env.merge(environment) { _, new in new }
    process.environment = env
    var handles = [try FileHandle(forWritingTo: out), try FileHandle(forWritingTo: err)]
    process.standardOutput = handles[0]
    process.standardError = handles[1]
    if let stdin {
      let input = dir.appendingPathComponent("stdin")
      try stdin.write(to: input)
      handles.append(try FileHandle(forReadingFrom: input))
      process.standardInput = handles[2]
    } else {
      process.standardInput = FileHandle.nullDevice
    }
    // The child has its own copies once started. Foundation keeps the
    // Process (and so these handles) alive past its exit: left open, a
    // suite leaked two descriptors a run, and past about a thousand
    // Process.run crashed in a memmove (seen with 1,166 open).
    defer { for handle in handles { try? handle.close() } }
    let start = Date()
    try process.runAlone()
    let limit = Date().addingTimeInterval(timeout)
    while process.isRunning {
      if Date() > limit {
        kill(process.processIdentifier, SIGKILL)
        // Not waitUntilExit(): when Foundation never notices the exit (its
        // exit socket inherited by another child), that would wait forever.
        let grace = Date().addingTimeInterval(5)
        while process.isRunning && Date() < grace { usleep(10_000) }
        throw TestFailure("\(path) did not finish within \(timeout) s")
      }
      usleep(5_000)
    }
    let result = CommandResult(
      status: process.terminationStatus, stdout: try Data(contentsOf: out),
      stderr: String(decoding: try Data(contentsOf: err), as: UTF8.self),
      seconds: Date().timeIntervalSince(start))
    // What notify-unit printed, for the scan for secrets after the tests.
    if path == Paths.notifyUnit || arguments.contains(Paths.notifyUnit) {
      SecretLedger.output(result.stdout, label: "stdout")
      SecretLedger.output(Data(result.stderr.utf8), label: "stderr")
    }
    return result
  }
}

public struct TestFailure: Error, CustomStringConvertible {
  public var description: String
  public init(_ description: String) { self.description = description }
}

extension Command {
  /// Writes an executable shell script (a stand-in for a peer's fault a real
  /// one cannot be made to show) and returns its path.
  @discardableResult
  public static func script(at path: String, _ body: String) throws -> String {
    try "#!/bin/sh\n\(body)\n".write(toFile: path, atomically: true, encoding: .utf8)
    chmod(path, 0o755)
    return path
  }
}

extension Process {
  /// Starts the process while no other test helper starts one. On Linux,
  /// Foundation learns that a child exited when a socket it handed only to
  /// that child closes; a child spawned by another thread at the same
  /// moment inherits the socket too, and the first child's exit then goes
  /// unseen while the second lives (swift-corelibs-foundation issue 4795).
  /// Seen here: `tar` extracting a container's root file system never
  /// "finished" because a Healthchecks peer of a suite waiting for the
  /// container turn was spawned beside it; neither could go on.
  public func runAlone() throws {
    Process.spawnLock.lock()
    defer { Process.spawnLock.unlock() }
    try run()
  }

  static let spawnLock = NSLock()
}
