import NotifyUnitCore
import NotifyUnitSystem

#if canImport(Glibc)
  import Glibc
#endif

/// Pings keep their order per check, and the newest state wins: a state
/// ping (success, /fail, an exit status) still waiting in the spool when a
/// newer ping of the same check is due is no longer sent as a state change,
/// which would undo the newer one on Healthchecks. It goes out as `/log`
/// (state-neutral: it shows in the check's events), saying what it was and
/// when it was due.
enum SupersededPings {
  /// Whether the ping changes the check's state (a `/log` or `/start`
  /// does not supersede or get superseded).
  static func isStateChange(_ url: String) -> Bool {
    let check = Spool.checkURL(ofPing: url)
    let path = String(url.prefix { $0 != "?" }.dropFirst(check.count))
    return path != "/log" && path != "/start"
  }

  /// The same ping as `/log`, with its query (the rid) kept.
  static func logURL(_ url: String) -> String {
    let query = url.firstIndex(of: "?").map { String(url[$0...]) } ?? ""
    return Spool.checkURL(ofPing: url) + "/log" + query
  }

  static func note(_ url: String, due: String) -> String {
    let check = Spool.checkURL(ofPing: url)
    let path = String(url.prefix { $0 != "?" }.dropFirst(check.count))
    let was =
      path.isEmpty
      ? "a success ping"
      : path == "/fail" ? "a failure ping" : "an exit status \(path.dropFirst()) ping"
    return "note: \(was) due at \(due), sent as /log: a newer ping of this check superseded it\n"
  }

  /// Makes every state ping of `checkURL` waiting in the spool a `/log`
  /// ping, before a newer ping of the check is sent. An entry another
  /// process is sending at this moment is waited for a little (it is gone
  /// once sent); returns what could not be done, one sentence each.
  static func demoteWaiting(
    in spool: Spool, checkURL: String, renderer: LogRenderer, deadline: Deadline
  ) -> [String] {
    var problems: [String] = []
    let waiting: [Spool.Entry]
    do {
      waiting = try spool.waitingPings(forCheckURLPrefix: checkURL)
    } catch {
      return ["\(error): an older ping of this check may still be waiting and undo this one"]
    }
    for entry in waiting {
      let wait = deadline.capped(to: 2)
      var result = spool.claim(entry.path)
      while result == .busy, !wait.hasPassed {
        usleep(20_000)
        result = spool.claim(entry.path)
      }
      switch result {
      case .gone, .refused:
        continue  // sent meanwhile; or not notify-unit's (the flush says so)
      case .busy:
        problems.append(
          "a ping of \(entry.unit) for this check is being sent by another run and may arrive after this one"
        )
      case .claimed(let claim):
        defer { claim.release() }
        guard let (url, body) = spool.ping(entry), isStateChange(url) else { continue }
        let due = renderer.timestamp(entry.created)
        do {
          let rewritten = try spool.rewritePing(
            claim, url: logURL(url), body: Array(note(url, due: due).utf8) + body)
          rewritten.release()
          // The reason only explains the entry: a failure leaves the old one.
          try? spool.setReason(entry.path, "superseded by a newer ping of the check: sent as /log")
        } catch {
          problems.append(
            "\(error): an older ping of \(entry.unit) could not be made state-neutral and may undo this one"
          )
        }
      }
    }
    return problems
  }
}
