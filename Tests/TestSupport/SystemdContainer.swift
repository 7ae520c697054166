import Foundation

/// A real systemd, booted in a systemd-nspawn container on a tmpfs, for the
/// system tests: a Debian release (12 or 13) made by mmdebstrap from the
/// host's own apt sources, their suites renamed for the release (cached in
/// /var/cache/notify-unit-test, keyed on the release and the package list),
/// with the package tree bound read-only at /src and the Swift runtime at
/// /opt/swift. The container shares the host's network, so a test
/// server on 127.0.0.1 is reachable from inside (unless `privateNetwork`).
/// `stop()` removes the container, its mounts and cgroups, whatever
/// happened before.
public final class SystemdContainer {
  /// The Debian releases the booted suites run on; the binary is the one
  /// built on the host (Debian 12) for both.
  public enum Release: String, CaseIterable, Sendable, CustomStringConvertible {
    /// Debian 12: systemd 252, libcurl 7.88, restic 0.14, exim 4.96.
    case bookworm
    /// Debian 13: systemd 257, libcurl 8, restic 0.18, exim 4.98.
    case trixie

    public var description: String {
      switch self {
      case .bookworm: "Debian 12 (bookworm)"
      case .trixie: "Debian 13 (trixie)"
      }
    }

    /// A package of Debian 12's named as this release names it: the 64-bit
    /// time_t transition renamed libraries in trixie (libcurl4t64).
    public func package(_ name: String) -> String {
      switch (self, name) {
      case (.trixie, "libcurl4"): "libcurl4t64"
      default: name
      }
    }

    /// This release's entries in the host's apt sources: each suite of the
    /// host's release (`bookworm`, `bookworm-updates`, `bookworm-security`)
    /// renamed for this one, the mirrors as they are. Accepts deb822
    /// (`Suites:`) and one-line (`deb URI SUITE COMPONENTS`) sources.
    public func sources(from hostSources: String, hostRelease: String) -> String {
      guard hostRelease != rawValue else { return hostSources }
      func rename(_ suite: Substring) -> String {
        if suite == hostRelease { return rawValue }
        if suite.hasPrefix(hostRelease + "-") {
          return rawValue + suite.dropFirst(hostRelease.count)
        }
        return String(suite)
      }
      return hostSources.split(separator: "\n", omittingEmptySubsequences: false).map { line in
        if line.hasPrefix("Suites:") {
          let suites = line.dropFirst("Suites:".count).split(separator: " ").map(rename)
          return "Suites: " + suites.joined(separator: " ")
        }
        var words = line.split(separator: " ")
        if let kind = words.first, kind == "deb" || kind == "deb-src" {
          // deb [OPTIONS] URI SUITE COMPONENTS...
          var i = 1
          if words.count > i, words[i].hasPrefix("[") {
            while i < words.count, !words[i].hasSuffix("]") { i += 1 }
            i += 1
          }
          if words.count > i + 1 { words[i + 1] = Substring(rename(words[i + 1])) }
          return words.joined(separator: " ")
        }
        return String(line)
      }.joined(separator: "\n")
    }
  }

  public static let packages = [
    "systemd", "systemd-sysv", "dbus", "libcurl4", "exim4-daemon-light", "restic",
    "libcap2-bin", "procps",
  ]

  /// A fresh Debian without notify-unit, for installing its packages: what
  /// they depend on comes from the distribution when the root file system is
  /// made, so the install needs no network.
  public static let packagesForInstall = [
    "systemd", "systemd-sysv", "dbus", "exim4-daemon-light", "libcurl4", "restic", "procps",
  ]

  public let name: String
  public let root: String
  public let release: Release
  let privateNetwork: Bool
  let mountPoint: String
  let cgroups: [String]
  var process: Process
  public private(set) var leader: Int32 = 0
  /// One booted container at a time, across suites and test processes:
  /// without a private network they share the host's loopback, where two
  /// exim4s race for port 25 and a mail lands in the other's mailbox.
  var turn: Int32
  /// When its turn came, for the time it took (printed by `stop()`: CI's
  /// log says what each release adds).
  let started: Date

  /// Boots the container; throws (after cleaning up) if it does not come up.
  /// `binary`, when given, is installed as scripts/setup installs it.
  public init(
    binary: String?, release: Release = .bookworm, packages: [String] = SystemdContainer.packages,
    privateNetwork: Bool = false
  ) throws {
    turn = Self.waitForTurn()
    started = Date()
    self.release = release
    self.privateNetwork = privateNetwork
    name = "nutest-\(UUID().uuidString.prefix(8).lowercased())"
    mountPoint = "/run/notify-unit-test/\(name)"
    root = mountPoint + "/root"
    cgroups = ["/sys/fs/cgroup/unified/\(name)", "/sys/fs/cgroup/systemd/\(name)"].filter {
      FileManager.default.fileExists(
        atPath: URL(fileURLWithPath: $0).deletingLastPathComponent().path)
    }
    process = Process()
    do {
      let tar = try Self.rootfs(release: release, packages: packages.map(release.package))
      try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
      try Self.check(
        Command.run("/bin/mount", ["-t", "tmpfs", "-o", "size=3G", "tmpfs", mountPoint]))
      try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
      try Self.check(Command.run("/bin/tar", ["-C", root, "-xf", tar]))
      try name.write(toFile: root + "/etc/hostname", atomically: true, encoding: .utf8)
      // As scripts/setup installs it.
      if let binary {
        try Self.check(
          Command.run(
            "/usr/bin/install", ["-m", "0755", binary, root + "/usr/local/bin/notify-unit"]))
        // scripts/setup's link: the package's path, which the docs name.
        try? FileManager.default.createSymbolicLink(
          atPath: root + "/usr/bin/notify-unit", withDestinationPath: "/usr/local/bin/notify-unit")
      }
      try bootRetrying()
      try ownPort25()
    } catch {
      stop()
      throw error
    }
  }

  /// The cached root file system tarball, made on first use.
  static func rootfs(release: Release, packages: [String]) throws -> String {
    let key = packages.joined(separator: ",")
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in key.utf8 { hash = (hash ^ UInt64(b)) &* 0x100_0000_01b3 }
    let dir = "/var/cache/notify-unit-test"
    let tar = "\(dir)/\(release.rawValue)-\(String(hash, radix: 16)).tar"
    if FileManager.default.fileExists(atPath: tar) { return tar }
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    let sources = ["/etc/apt/sources.list.d/debian.sources", "/etc/apt/sources.list"].first {
      FileManager.default.fileExists(atPath: $0)
    }
    guard let sources, let hostSources = FileManager.default.contents(atPath: sources) else {
      throw TestFailure("no apt sources on this host to build the container from")
    }
    let osRelease = (try? String(contentsOfFile: "/etc/os-release", encoding: .utf8)) ?? ""
    let hostRelease =
      osRelease.split(separator: "\n").first { $0.hasPrefix("VERSION_CODENAME=") }
      .map { String($0.dropFirst("VERSION_CODENAME=".count)) } ?? "bookworm"
    // The mirror named in no file of the repository: the host's, in a
    // file of this run's (mmdebstrap reads the format from the extension).
    let list = tar + (sources.hasSuffix(".sources") ? ".sources" : ".list")
    try release.sources(
      from: String(decoding: hostSources, as: UTF8.self), hostRelease: hostRelease
    ).write(toFile: list, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(atPath: list) }
    let partial = tar + ".partial"
    try check(
      Command.run(
        "/usr/bin/mmdebstrap",
        ["--variant=minbase", "--include=" + key, "--format=tar", release.rawValue, partial, list],
        timeout: 900))
    try FileManager.default.moveItem(atPath: partial, toPath: tar)
    return tar
  }

  /// Boots; once more when the first boot does not come up. Seen in CI: the
  /// first container of a run stuck short of "running" for minutes while
  /// the next ones came up in 2 s on the same root file system; nothing of
  /// notify-unit's runs before the container is up.
  func bootRetrying() throws {
    do {
      try boot()
    } catch {
      print("container \(name): \(error); booting it again")
      if leader != 0 { kill(leader, SIGKILL) }
      kill(process.processIdentifier, SIGKILL)
      let limit = Date().addingTimeInterval(30)
      while process.isRunning && Date() < limit { usleep(50_000) }
      leader = 0
      process = Process()
      try boot()
    }
  }

  func boot() throws {
    // nspawn makes payload/supervisor cgroups under its own and leaves them:
    // give it private ones, removed in stop().
    var script = ""
    for cgroup in cgroups {
      // Kept from the boot before a power cut (`cutPowerAndBoot`).
      if !FileManager.default.fileExists(atPath: cgroup) {
        try FileManager.default.createDirectory(atPath: cgroup, withIntermediateDirectories: false)
      }
      script += "echo $$ > \(cgroup)/cgroup.procs && "
    }
    let swift = Paths.swiftRuntime
    script +=
      "exec systemd-nspawn -D \(root) -M \(name) --register=no --keep-unit --link-journal=no"
      + " --console=read-only --bind-ro=\(Paths.packageRoot.path):/src"
      + (privateNetwork ? " --private-network" : "")
      + (swift.map { " --bind-ro=\($0)" } ?? "") + " -b"
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", script]
    var env = ProcessInfo.processInfo.environment
    env["SYSTEMD_NSPAWN_UNIFIED_HIERARCHY"] = "1"
    process.environment = env
    let log = FileHandle(forWritingAtPath: "/dev/null")
    process.standardOutput = log
    process.standardError = log
    try process.runAlone()
    // Half a second when the machine is idle; generous for a loaded one.
    let limit = Date().addingTimeInterval(120)
    while Date() < limit {
      if !process.isRunning { throw TestFailure("systemd-nspawn exited while booting") }
      if leader == 0 { leader = findLeader() }
      // A short limit for each look: one that hangs must not use up the boot's.
      if leader != 0, let state = try? run(["systemctl", "is-system-running"], timeout: 10),
        ["running", "degraded"].contains(
          state.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines))
      {
        return
      }
      usleep(100_000)
    }
    throw TestFailure("the container's systemd did not reach running within 120 s")
  }

  /// On the shared loopback, the exim on 127.0.0.1:25 is this container's
  /// own: its mail must land in its own mailboxes, not another's.
  func ownPort25() throws {
    guard !privateNetwork, FileManager.default.fileExists(atPath: root + "/usr/sbin/exim4") else {
      return
    }
    let limit = Date().addingTimeInterval(30)
    var owner = "nothing"
    while Date() < limit {
      let listening = try Command.run("/usr/bin/ss", ["-ltnpH", "src", "127.0.0.1:25"]).stdoutText
      let pids = listening.split(separator: ",").compactMap {
        $0.hasPrefix("pid=") ? Int32($0.dropFirst(4)) : nil
      }
      let cgroups = pids.map {
        (try? String(contentsOfFile: "/proc/\($0)/cgroup", encoding: .utf8)) ?? ""
      }
      if !cgroups.isEmpty, cgroups.allSatisfy({ $0.contains("/\(name)/") }) { return }
      if !pids.isEmpty { owner = "pid \(pids) (\(cgroups.joined()))" }
      usleep(100_000)
    }
    throw TestFailure("127.0.0.1:25 is not the container's own exim after 30 s: \(owner)")
  }

  /// Cuts the container's power: its PID 1 is killed, nothing is shut
  /// down (no ExecStopPost=, no unit stops); then it boots again on the
  /// same root file system, with a new boot ID (nspawn gives each boot one).
  public func cutPowerAndBoot() throws {
    kill(leader, SIGKILL)
    let limit = Date().addingTimeInterval(30)
    while process.isRunning && Date() < limit { usleep(50_000) }
    if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    process.waitUntilExit()
    leader = 0
    process = Process()
    try boot()
    try ownPort25()
  }

  /// The container's PID 1: the child of systemd-nspawn named systemd.
  func findLeader() -> Int32 {
    let nspawn = process.processIdentifier
    guard
      let children = try? String(
        contentsOfFile: "/proc/\(nspawn)/task/\(nspawn)/children", encoding: .utf8)
    else { return 0 }
    for child in children.split(separator: " ").compactMap({ Int32($0) }) {
      let comm = (try? String(contentsOfFile: "/proc/\(child)/comm", encoding: .utf8)) ?? ""
      if comm.hasPrefix("systemd") { return child }
    }
    return 0
  }

  /// Runs a command inside the container (all its namespaces), as root.
  @discardableResult
  public func run(_ arguments: [String], timeout: Double = 300) throws -> CommandResult {
    try Command.run(
      "/usr/bin/nsenter", ["-t", String(leader), "-a", "--"] + arguments, inheritEnvironment: false,
      timeout: timeout)
  }

  /// Runs a shell script inside the container; fails the test when it fails.
  @discardableResult
  public func shell(_ script: String, timeout: Double = 300) throws -> String {
    let result = try run(["/bin/sh", "-c", script], timeout: timeout)
    guard result.status == 0 else {
      throw TestFailure("in the container, `\(script)` exited \(result.status): \(result.stderr)")
    }
    return result.stdoutText
  }

  /// A file of the container's, read from the host.
  public func file(_ path: String) -> Data? {
    FileManager.default.contents(atPath: root + path)
  }

  /// The container's whole journal, its mailboxes and notify-unit's state
  /// and spool, for the scan for secrets after the tests.
  func keepOutputsForTheSecretScan() {
    if let journal = try? run(["journalctl", "--no-pager", "-o", "cat"], timeout: 60) {
      SecretLedger.output(journal.stdout, label: "container-journal")
    }
    for name in (try? FileManager.default.contentsOfDirectory(atPath: root + "/var/mail")) ?? [] {
      SecretLedger.output(file("/var/mail/" + name) ?? Data(), label: "container-mail")
    }
    SecretLedger.directoryTree(root + "/var/lib/notify-unit", label: "container-state")
  }

  /// An exclusive lock on a file every container test takes in turn; -1
  /// (no waiting) if it cannot be had. Whoever holds it owns every
  /// container on the machine, so any other one still running was left by
  /// an earlier test (killed, or stopped while its shutdown hung): it is
  /// killed here, before it can answer this container's mail on the
  /// shared port 25 (seen in CI: every Debian 13 mail went to such a one).
  static func waitForTurn() -> Int32 {
    try? FileManager.default.createDirectory(
      atPath: "/run/notify-unit-test", withIntermediateDirectories: true)
    let fd = open("/run/notify-unit-test/turn.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
    guard fd >= 0 else { return -1 }
    while flock(fd, LOCK_EX) != 0, errno == EINTR {}
    removeLeftovers()
    return fd
  }

  static let cgroupRoots = ["/sys/fs/cgroup/unified", "/sys/fs/cgroup/systemd"]

  /// Kills and removes every container of an earlier test.
  static func removeLeftovers() {
    let names = Set(
      cgroupRoots.flatMap { (try? FileManager.default.contentsOfDirectory(atPath: $0)) ?? [] }
        + ((try? FileManager.default.contentsOfDirectory(atPath: "/run/notify-unit-test")) ?? [])
    ).filter { $0.hasPrefix("nutest-") }
    for name in names.sorted() {
      let cgroups = cgroupRoots.map { "\($0)/\(name)" }.filter {
        FileManager.default.fileExists(atPath: $0)
      }
      let killed = killEverything(in: cgroups)
      if killed > 0 {
        print("container \(name): left running by an earlier test, \(killed) killed")
      }
      remove(mountPoint: "/run/notify-unit-test/\(name)", cgroups: cgroups)
    }
  }

  /// SIGKILL to every process in the cgroups and their children, until none
  /// is left (cgroup.kill where the kernel has it); how many there were.
  @discardableResult
  static func killEverything(in cgroups: [String]) -> Int {
    var killed = 0
    let limit = Date().addingTimeInterval(30)
    while Date() < limit {
      let pids = cgroups.flatMap(processes(under:))
      if pids.isEmpty { break }
      killed = max(killed, pids.count)
      for cgroup in cgroups where FileManager.default.fileExists(atPath: cgroup + "/cgroup.kill") {
        try? "1".write(toFile: cgroup + "/cgroup.kill", atomically: false, encoding: .utf8)
      }
      for pid in pids { kill(pid, SIGKILL) }
      usleep(50_000)
    }
    return killed
  }

  static func processes(under cgroup: String) -> [Int32] {
    guard let walk = FileManager.default.enumerator(atPath: cgroup) else { return [] }
    var found: [Int32] = []
    for case let path as String in walk
    where path == "cgroup.procs" || path.hasSuffix("/cgroup.procs") {
      let text = (try? String(contentsOfFile: cgroup + "/" + path, encoding: .utf8)) ?? ""
      found += text.split(separator: "\n").compactMap { Int32($0) }
    }
    return found
  }

  static func remove(mountPoint: String, cgroups: [String]) {
    _ = try? Command.run("/bin/umount", ["-R", mountPoint])
    try? FileManager.default.removeItem(atPath: mountPoint)
    for cgroup in cgroups {
      // Deepest first: a cgroup directory goes only when empty.
      _ = try? Command.run(
        "/usr/bin/find", [cgroup, "-depth", "-type", "d", "-exec", "rmdir", "{}", ";"])
    }
  }

  /// Powers the container off (SIGTERM to nspawn: a clean shutdown), kills
  /// whatever of it is left after 20 s (SIGKILL to nspawn alone leaves the
  /// container's systemd running), then removes it all. Safe to call more
  /// than once.
  public func stop() {
    defer {
      if turn >= 0 {
        close(turn)
        print("container \(name) (\(release)): \(Int(-started.timeIntervalSinceNow)) s")
      }
      turn = -1
    }
    if process.isRunning {
      keepOutputsForTheSecretScan()
      kill(process.processIdentifier, SIGTERM)
      let limit = Date().addingTimeInterval(20)
      while process.isRunning && Date() < limit { usleep(50_000) }
    }
    let left = Self.killEverything(in: cgroups)
    if left > 0 { print("container \(name): not down after 20 s, \(left) processes killed") }
    if process.processIdentifier != 0 {
      if process.isRunning { kill(process.processIdentifier, SIGKILL) }
      process.waitUntilExit()
    }
    Self.remove(mountPoint: mountPoint, cgroups: cgroups)
  }

  static func check(_ result: CommandResult) throws {
    guard result.status == 0 else {
      throw TestFailure("command failed (\(result.status)): \(result.stderr)")
    }
  }
}
