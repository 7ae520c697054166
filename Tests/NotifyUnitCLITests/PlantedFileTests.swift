import Foundation
import TestSupport
import Testing

/// A hostile local user (`nobody`) plants files where root's notify-unit
/// keeps its own: in a spool, a state directory or a textfile directory it
/// can write to. Nothing planted is run, sent, followed or truncated; each
/// refusal is said at <3> and the file is left in place.
@Suite struct PlantedFileTests {
  static let asNobody = ["--reuid=65534", "--regid=65534", "--clear-groups", "--"]

  /// Runs `script` under /bin/sh as nobody.
  @discardableResult
  func asNobody(_ script: String) throws -> CommandResult {
    try Command.run("/usr/bin/setpriv", Self.asNobody + ["/bin/sh", "-c", script])
  }

  /// A test directory others may traverse, as /var/lib is.
  func sharedTestDirectory() throws -> URL {
    let dir = try Paths.temporaryDirectory()
    chmod(dir.path, 0o755)
    return dir
  }

  func mode(_ path: String) -> mode_t {
    var st = stat()
    return lstat(path, &st) == 0 ? st.st_mode & 0o7777 : 0
  }

  func contents(_ path: String) -> String {
    (try? String(contentsOfFile: path, encoding: .utf8)) ?? "<unreadable>"
  }

  /// A sendmail that records that it was run at all.
  func recordingSendmail(_ dir: URL) throws -> (path: String, record: String) {
    let record = dir.appendingPathComponent("sendmail-ran").path
    let path = try Command.script(
      at: dir.appendingPathComponent("sendmail").path,
      "cat >>'\(record)'\necho '==sent==' >>'\(record)'")
    return (path, record)
  }

  @Test func entriesPlantedInASharedSpoolAreNeverRunOrSent() throws {
    let dir = try sharedTestDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let check = SecretLedger.newCheck()
    let server = try HealthchecksServer(checks: [check])
    let state = dir.appendingPathComponent("state").path
    let spool = state + "/spool"
    try FileManager.default.createDirectory(atPath: spool, withIntermediateDirectories: true)
    chmod(state, 0o755)
    // Sticky and writable by all, as /tmp: accepted, but every file checked.
    chmod(spool, 0o1777)
    let mark = dir.appendingPathComponent("ran-as-root").path
    let secret = dir.appendingPathComponent("root-only").path
    try "root's secret\n".write(toFile: secret, atomically: true, encoding: .utf8)
    chmod(secret, 0o600)
    let (sendmail, sent) = try recordingSendmail(dir)
    let planted = try asNobody(
      """
      cd '\(spool)' || exit 1
      printf 'notify-unit-request 1\\nchannel: webhook\\ntarget: /bin/sh\\ncontent-type: text/plain\\nargument: -c\\nargument: id > \(mark)\\n\\nbody' > 00000000000000000001-request-evil.service
      printf 'To: victim@localhost\\nSubject: forged\\n\\nhi\\n' > 00000000000000000002-mail-evil.service
      printf '\(server.baseURL)/\(check)/fail\\nforged' > 00000000000000000003-ping-evil.service
      ln -s '\(secret)' 00000000000000000004-mail-link.service
      mkfifo 00000000000000000005-ping-fifo.service
      """)
    #expect(planted.status == 0, "\(planted.stderr)")

    let flush = try notifyUnit(
      ["flush", "--state-directory", state, "--sendmail", sendmail, "--timeout", "20"])
    #expect(flush.seconds < 15, "a FIFO must not block the flush")
    #expect(flush.status == 78, "\(flush.stderr)")
    #expect(!FileManager.default.fileExists(atPath: mark), "a planted program ran as root")
    #expect(!FileManager.default.fileExists(atPath: sent), "a planted mail went to sendmail")
    #expect(try server.requests().isEmpty, "a planted ping was sent")
    let refusals = flush.stderr.split(separator: "\n").filter {
      $0.hasPrefix("<3>") && $0.contains("left in place, never delivered")
    }
    #expect(refusals.count == 5, "\(flush.stderr)")
    #expect(flush.stderr.contains("owned by uid 65534"))
    #expect(flush.stderr.contains("symbolic link"))
    #expect(flush.stderr.contains("not a regular file"))
    // Left where they are, for the admin to look at.
    let left = try FileManager.default.contentsOfDirectory(atPath: spool)
    #expect(left.count == 5, "\(left)")
    #expect(contents(secret) == "root's secret\n" && mode(secret) == 0o600)
  }

  @Test func aDirectoryAnotherUserCouldPlantInIsRefusedWithoutFallingBack() throws {
    let dir = try sharedTestDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let run = try HostileRun(hugeLine: false)
    defer { run.cleanUp() }
    let (sendmail, sent) = try recordingSendmail(dir)
    let cases: [(name: String, make: (String) throws -> Void, says: String)] = [
      (
        "writable", { chmod($0, 0o777) },
        "it is writable by group or others, who could plant files in it (fix: chmod go-w"
      ),
      ("foreign", { chown($0, 65534, 65534) }, "it is owned by uid 65534"),
      (
        "link",
        { path in
          let real = path + "-real"
          try FileManager.default.createDirectory(atPath: real, withIntermediateDirectories: false)
          try FileManager.default.removeItem(atPath: path)
          try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: real)
        }, "it is a symbolic link"
      ),
    ]
    for (name, make, says) in cases {
      let state = dir.appendingPathComponent(name).path
      try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: false)
      try make(state)
      let flush = try notifyUnit(["flush", "--state-directory", state, "--sendmail", sendmail])
      #expect(flush.status == 78, "\(name): \(flush.stderr)")
      #expect(flush.stderr.hasPrefix("<3>") && flush.stderr.contains(says), "\(flush.stderr)")
      #expect(flush.stderr.split(separator: "\n").count == 1, "\(flush.stderr)")
      // A report still goes out (nothing lost), without state or spool,
      // and says why; nothing is written in the directory, or elsewhere.
      let report = try notifyUnit(
        [
          "--journal-file", run.path, "--mail-to", "a@localhost", "--sendmail", sendmail,
          "x.service",
        ],
        environment: run.outcomeEnvironment.merging(["STATE_DIRECTORY": state]) { $1 })
      #expect(report.status == 78, "\(name): \(report.stderr)")
      #expect(report.stderr.contains(says), "\(report.stderr)")
      #expect(report.stderr.contains("sent without state or spool"), "\(report.stderr)")
      #expect(try FileManager.default.contentsOfDirectory(atPath: state).isEmpty)
    }
    #expect(contents(sent).components(separatedBy: "\n==sent==\n").count - 1 == cases.count)
  }

  /// The names a report writes by were predictable (`NAME.tmp-PID`, `.lock`)
  /// and opened with O_CREAT|O_TRUNC through links: a user who can write to
  /// the directory made root truncate and chmod a file of root's.
  @Test func linksAtTemporaryAndLockNamesAreNeverFollowed() throws {
    let dir = try sharedTestDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let run = try HostileRun(hugeLine: false)
    defer { run.cleanUp() }
    let state = dir.appendingPathComponent("state").path
    let textfiles = dir.appendingPathComponent("textfiles").path
    for shared in [state, textfiles] {
      try FileManager.default.createDirectory(atPath: shared, withIntermediateDirectories: false)
      chmod(shared, 0o1777)
    }
    let victim = dir.appendingPathComponent("victim").path
    try "root's own file\n".write(toFile: victim, atomically: true, encoding: .utf8)
    chmod(victim, 0o600)
    let (sendmail, sent) = try recordingSendmail(dir)
    // Links at every name a process id could give the next runs, planted
    // (by one process: no fork of its own takes those ids) before and,
    // by a racer, during the run.
    let plant = """
      import os, sys, time
      stop, until = '\(dir.path)/stop-planting', time.time() + 60
      names = ['\(state)/x_2eservice.state.tmp-', '\(state)/x_2eservice.last.eml.tmp-',
               '\(textfiles)/notify-unit_x_2eservice.prom.tmp-']
      for lock in ['\(state)/.lock', '\(textfiles)/.lock']:
          try: os.symlink('\(victim)', lock)
          except FileExistsError: pass
      while True:
          last = int(open('/proc/sys/kernel/ns_last_pid').read())
          for pid in range(last + 1, last + 400):
              for name in names:
                  try: os.symlink('\(victim)', name + str(pid))
                  except FileExistsError: pass
          if sys.argv[1] == 'once' or os.path.exists(stop) or time.time() > until: break
      """
    _ = try Command.run("/usr/bin/setpriv", Self.asNobody + [Paths.python, "-c", plant, "once"])
    let racer = Process()
    racer.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
    racer.arguments = Self.asNobody + [Paths.python, "-c", plant, "race"]
    try racer.run()
    defer {
      // It stops on its own (SIGTERM may be ignored in the test's children).
      _ = FileManager.default.createFile(atPath: dir.path + "/stop-planting", contents: nil)
      racer.waitUntilExit()
    }
    let config = dir.appendingPathComponent("notify-unit.conf").path
    try "PROMETHEUS_TEXTFILE_DIRECTORY=\(textfiles)\n".write(
      toFile: config, atomically: true, encoding: .utf8)
    let report = try notifyUnit(
      [
        "--journal-file", run.path, "--mail-to", "a@localhost", "--sendmail", sendmail, "x.service",
      ],
      environment: run.outcomeEnvironment.merging(["STATE_DIRECTORY": state]) { $1 },
      config: config)
    #expect(contents(victim) == "root's own file\n", "\(report.stderr)")
    #expect(mode(victim) == 0o600)
    // The mail went; the state was not written through the planted lock,
    // and that is said.
    #expect(contents(sent).hasSuffix("\n==sent==\n"))
    #expect(report.stderr.contains("\(state)/.lock: it is a symbolic link"), "\(report.stderr)")
    // The metrics went in, under a random temporary name, renamed into place.
    #expect(mode(textfiles + "/notify-unit_x_2eservice.prom") == 0o644, "\(report.stderr)")
  }

  @Test func spooledReportsAreReadableOnlyByTheirOwner() throws {
    let run = try HostileRun(hugeLine: false)
    defer { run.cleanUp() }
    let state = run.dir.appendingPathComponent("state").path
    let tempfail = try Command.script(
      at: run.dir.appendingPathComponent("sendmail").path, "cat >/dev/null\nexit 75")
    let result = try notifyUnit(
      [
        "--journal-file", run.path, "--mail-to", "a@localhost", "--sendmail", tempfail, "x.service",
      ],
      environment: run.outcomeEnvironment.merging(["STATE_DIRECTORY": state]) { $1 })
    #expect(result.stderr.contains("kept in the spool"), "\(result.stderr)")
    let names = try FileManager.default.contentsOfDirectory(atPath: state + "/spool")
    let mail = try #require(names.first { $0.contains("-mail-") && !$0.hasSuffix(".reason") })
    // The log lines are in it: never 0640 as they were.
    #expect(mode(state + "/spool/" + mail) == 0o600)
    #expect(mode(state + "/x_2eservice.last.eml") == 0o600)
  }

  /// A spooled Apprise report names no program: the flush runs the one its
  /// own settings name.
  @Test func aSpooledAppriseReportRunsTheProgramOfTheFlushsSettings() throws {
    let run = try HostileRun(hugeLine: false)
    defer { run.cleanUp() }
    let state = run.dir.appendingPathComponent("state").path
    let urls = run.dir.appendingPathComponent("apprise.urls").path
    try "json://127.0.0.1:1/x\n".write(toFile: urls, atomically: true, encoding: .utf8)
    let ranFirst = run.dir.appendingPathComponent("first-ran").path
    let ranSecond = run.dir.appendingPathComponent("second-ran").path
    let first = try Command.script(
      at: run.dir.appendingPathComponent("apprise-down").path,
      "cat >/dev/null\necho \"$@\" >>'\(ranFirst)'\nexit 1")
    let second = try Command.script(
      at: run.dir.appendingPathComponent("apprise-up").path,
      "cat >/dev/null\necho \"$@\" >>'\(ranSecond)'\nexit 0")
    func config(_ program: String) throws -> String {
      let path = run.dir.appendingPathComponent("conf-\(UUID().uuidString)").path
      try "APPRISE_URLS=\(urls)\nAPPRISE=\(program)\n".write(
        toFile: path, atomically: true, encoding: .utf8)
      return path
    }
    let report = try notifyUnit(
      ["--journal-file", run.path, "backup.service"],
      environment: run.outcomeEnvironment.merging(["STATE_DIRECTORY": state]) { $1 },
      config: try config(first))
    #expect(report.stderr.contains("kept in the spool"), "\(report.stderr)")
    let spool = try FileManager.default.contentsOfDirectory(atPath: state + "/spool")
    let entry = try #require(spool.first { $0.contains("-request-") && !$0.hasSuffix(".reason") })
    #expect(!contents(state + "/spool/" + entry).contains(first), "the program is in the spool")

    let flush = try notifyUnit(["flush", "--state-directory", state], config: try config(second))
    #expect(flush.status == 0, "\(flush.stderr)")
    #expect(contents(ranFirst).split(separator: "\n").count == 1)
    let arguments = contents(ranSecond)
    #expect(arguments.hasPrefix("-t ⛔ backup.service") && arguments.hasSuffix("-c \(urls)\n"))
  }
}

extension PlantedFileTests {
  /// The README's textfile directory set-up (an ACL, so group-writable
  /// bits) needs the sticky bit: without it, refused in one line.
  @Test func aTextfileDirectoryOthersCanWriteNeedsTheStickyBit() throws {
    let run = try HostileRun(hugeLine: false)
    defer { run.cleanUp() }
    let textfiles = run.dir.appendingPathComponent("textfiles").path
    try FileManager.default.createDirectory(atPath: textfiles, withIntermediateDirectories: false)
    let config = run.dir.appendingPathComponent("notify-unit.conf").path
    try "PROMETHEUS_TEXTFILE_DIRECTORY=\(textfiles)\n".write(
      toFile: config, atomically: true, encoding: .utf8)
    let metrics = textfiles + "/notify-unit_x_2eservice.prom"
    for (directoryMode, accepted) in [(mode_t(0o775), false), (0o1775, true)] {
      chmod(textfiles, directoryMode)
      let report = try notifyUnit(
        ["--journal-file", run.path, "x.service"], environment: run.outcomeEnvironment,
        config: config)
      #expect(FileManager.default.fileExists(atPath: metrics) == accepted, "\(report.stderr)")
      #expect(
        report.stderr.contains("it is writable by group or others") == !accepted, "\(report.stderr)"
      )
    }
  }
}
