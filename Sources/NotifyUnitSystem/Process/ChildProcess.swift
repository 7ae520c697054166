import NotifyUnitCore

#if canImport(Glibc)
  import Glibc
#endif

/// A program started directly with posix_spawn: no shell ever sees its
/// arguments. Its stdin is a pipe the caller writes; stdout and stderr are
/// inherited (they end up in the unit's journal), or go to /dev/null with
/// `discardOutput` (a program that may print a secret it was given).
public final class ChildProcess {
  public let pid: pid_t
  /// Write end of the child's stdin; closed by `closeInput()`.
  public private(set) var input: Int32

  public init(path: String, arguments: [String], discardOutput: Bool = false) throws(SpawnError) {
    var pipeFDs: [Int32] = [-1, -1]
    guard pipe(&pipeFDs) == 0 else { throw SpawnError(path: path, errno: errno) }
    // Neither end may leak into other children; dup2 gives the child its own.
    for fd in pipeFDs where fcntl(fd, F_SETFD, FD_CLOEXEC) != 0 {
      let e = errno
      close(pipeFDs[0])
      close(pipeFDs[1])
      throw SpawnError(path: path, errno: e)
    }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_adddup2(&actions, pipeFDs[0], 0)
    if discardOutput {
      for fd: Int32 in [1, 2] {
        guard posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", O_WRONLY, 0) == 0 else {
          for end in pipeFDs { close(end) }
          throw SpawnError(path: path, errno: errno)
        }
      }
    }

    // The child starts with default signal handling (SIGPIPE included).
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var defaults = sigset_t()
    sigemptyset(&defaults)
    sigaddset(&defaults, SIGPIPE)
    posix_spawnattr_setsigdefault(&attributes, &defaults)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF))

    let argv = ([path] + arguments).map { strdup($0) } + [nil]
    defer { for p in argv { free(p) } }
    guard !argv.dropLast().contains(nil) else {
      close(pipeFDs[0])
      close(pipeFDs[1])
      throw SpawnError(path: path, errno: ENOMEM)
    }
    var child: pid_t = 0
    var r = posix_spawn(&child, path, &actions, &attributes, argv, environ)
    // ETXTBSY: the program file is still open for writing somewhere (being
    // installed, or a write descriptor inherited by another process's fork
    // for an instant). It passes; try a few more times.
    var tries = 1
    while r == ETXTBSY, tries < 20 {
      sleep(seconds: 0.05)
      r = posix_spawn(&child, path, &actions, &attributes, argv, environ)
      tries += 1
    }
    close(pipeFDs[0])
    guard r == 0 else {
      close(pipeFDs[1])
      throw SpawnError(path: path, errno: r)
    }
    pid = child
    input = pipeFDs[1]
  }

  deinit { if input >= 0 { close(input) } }

  public func closeInput() {
    if input >= 0 {
      close(input)
      input = -1
    }
  }

  public enum Termination: Equatable, Sendable {
    case exited(Int32)
    case signalled(Int32)
  }

  /// Waits for the child until `deadline`; then stops it (TERM, then KILL)
  /// and returns nil.
  public func wait(until deadline: Deadline) -> Termination? {
    while true {
      if let t = reap(block: false) { return t }
      if deadline.hasPassed { break }
      sleep(seconds: min(0.01, deadline.remaining))
    }
    kill(pid, SIGTERM)
    // A short grace: the deadline is already reached.
    let grace = Deadline(secondsFromNow: 0.2)
    while !grace.hasPassed {
      if reap(block: false) != nil { return nil }
      sleep(seconds: 0.01)
    }
    kill(pid, SIGKILL)
    _ = reap(block: true)
    return nil
  }

  private func reap(block: Bool) -> Termination? {
    var status: Int32 = 0
    while true {
      let r = waitpid(pid, &status, block ? 0 : WNOHANG)
      if r == pid { break }
      if r == -1 && errno == EINTR { continue }
      return nil
    }
    // WIFEXITED / WEXITSTATUS / WTERMSIG are macros Swift cannot import.
    if status & 0x7F == 0 { return .exited((status >> 8) & 0xFF) }
    return .signalled(status & 0x7F)
  }
}

public struct SpawnError: Error, CustomStringConvertible, Sendable {
  public var path: String
  public var errno: Int32
  public var description: String {
    "cannot run \(path): \(String(cString: strerror(errno)))"
  }
}
