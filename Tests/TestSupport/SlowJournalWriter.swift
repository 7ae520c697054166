import Foundation

/// systemd-journal-remote fed slowly, as journald stores a busy service's
/// output: some entries at once, then one every `interval` seconds.
public final class SlowJournalWriter {
  let process: Process
  let file: URL

  public init(directory: URL, invocation: String, early: Int, late: Int, interval: Double) throws {
    file = directory.appendingPathComponent("remote.journal")
    let script = """
      import subprocess, sys, time
      out, inv, early, late, interval = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
      p = subprocess.Popen(["\(Paths.journalRemote)", "--output=" + out, "--split-mode=none", "-"],
                           stdin=subprocess.PIPE, stderr=subprocess.DEVNULL)
      t = \(JournalFixture.baseTime)
      def entry(i, text):
          p.stdin.write(b"__REALTIME_TIMESTAMP=%d\\n_SYSTEMD_INVOCATION_ID=%s\\nMESSAGE=%s\\n\\n" % (t + i, inv.encode(), text.encode()))
          p.stdin.flush()
      for i in range(early):
          entry(i, "early %d" % i)
      for i in range(late):
          time.sleep(interval)
          entry(1000 + i, "late %d" % i)
      p.stdin.close()
      p.wait()
      """
    process = Process()
    process.executableURL = URL(fileURLWithPath: Paths.python)
    process.arguments = ["-c", script, file.path, invocation, "\(early)", "\(late)", "\(interval)"]
    try process.runAlone()
  }

  /// Waits until journal-remote has created its file (with the early entries).
  public func waitForFile() throws {
    let limit = Date().addingTimeInterval(10)
    while !FileManager.default.fileExists(atPath: file.path) {
      if Date() > limit { throw TestFailure("systemd-journal-remote wrote no file") }
      usleep(10_000)
    }
    usleep(100_000)
  }

  public func stop() {
    if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    process.waitUntilExit()
  }
}
