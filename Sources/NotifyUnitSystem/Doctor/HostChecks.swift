import NotifyUnitCore

#if canImport(Glibc)
  import Glibc
#endif

/// The checks `notify-unit doctor` makes of this host: each looks, probes
/// without delivering anything, and says what to fix.
public enum HostChecks {
  /// sendmail exists and this user can run it.
  public static func sendmail(_ path: String) -> DoctorCheck {
    var st = stat()
    guard stat(path, &st) == 0 else {
      let e = errno
      return .fail(
        "mail",
        "sendmail \(path) \(e == ENOENT ? "does not exist" : "cannot be looked at: \(String(cString: strerror(e)))")",
        fix:
          "install an MTA (apt-get install exim4-daemon-light), set SENDMAIL= to its sendmail, or submit over SMTP with SMTP_URL=smtp://127.0.0.1"
      )
    }
    guard st.st_mode & S_IFMT == S_IFREG, access(path, X_OK) == 0 else {
      return .fail(
        "mail", "sendmail \(path) is not an executable file for this user",
        fix: "chmod +x \(path), or set SENDMAIL= to the MTA's sendmail")
    }
    return .pass("mail", "sendmail \(path) is there and executable")
  }

  /// The relay answers: connect, EHLO, AUTH when the URL has credentials;
  /// no mail is sent.
  public static func smtp(_ relay: SMTPRelay, timeout: Double) -> DoctorCheck {
    switch SMTPProbe.probe(relay, timeout: timeout) {
    case .success(let answer):
      let auth = relay.secrets.isEmpty ? "" : answer.authenticated ? ", AUTH accepted" : ""
      if !relay.secrets.isEmpty && !answer.authenticated {
        return .fail(
          "mail",
          "SMTP relay \(relay.redacted) answered EHLO (reply \(answer.reply)) but offered no AUTH for SMTP_URL's credentials",
          fix:
            "enable AUTH on the relay (it may need smtps://), or drop the credentials from SMTP_URL"
        )
      }
      return .pass(
        "mail", "SMTP relay \(relay.redacted) answered EHLO (reply \(answer.reply))\(auth)")
    case .failure(let error):
      let fix: String
      switch error {
      case .failed:
        fix = "check SMTP_URL's credentials and that the relay accepts this host"
      default:
        fix = "start the relay (systemctl start exim4), or correct host and port in SMTP_URL"
      }
      return .fail("mail", "SMTP relay not usable: \(error)", fix: fix)
    }
  }

  /// Healthchecks answers at its base URL: one GET of HC_URL itself, never
  /// of a check's URL, so no check changes state. Any HTTP answer counts.
  public static func healthchecks(_ baseURL: String, timeout: Double) -> DoctorCheck {
    let shown = redactedBaseURL(baseURL)
    var request = HTTPRequest(
      url: baseURL, body: [], timeout: timeout, userAgent: HealthchecksPinger.userAgent)
    request.method = "GET"
    switch HTTPClient.perform(request) {
    case .success(let response):
      return .pass("Healthchecks", "\(shown) answered (HTTP \(response.status)); no ping was sent")
    case .failure(let error):
      return .fail(
        "Healthchecks", "\(shown) cannot be reached: \(error.message)",
        fix: "check HC_URL, the network and any proxy (https_proxy, no_proxy)")
    }
  }

  /// The state directory (and its spool) can be written: a temporary file
  /// is made and removed; a directory not there yet must be creatable.
  public static func stateDirectory(_ path: String) -> DoctorCheck {
    let subject = "state directory"
    let fix =
      "mkdir -p \(path) and chown it to the user notify-unit runs as, or set STATE_DIRECTORY= to a directory it can write"
    var st = stat()
    if stat(path, &st) == 0 {
      guard st.st_mode & S_IFMT == S_IFDIR else {
        return .fail(subject, "\(path) is not a directory", fix: fix)
      }
      for dir in [path, path + "/spool"] {
        var inner = stat()
        if dir != path, stat(dir, &inner) != 0 { continue }
        do {
          let fd = try Host.unlinkedTemporaryFile(prefix: ".doctor", directory: dir)
          close(fd)
        } catch {
          return .fail(subject, "\(error)", fix: fix)
        }
      }
      return .pass(subject, "\(path) is writable")
    }
    // Not there yet: the nearest existing parent must let it be made.
    var parent = path
    while let slash = parent.lastIndex(of: "/") {
      parent = slash == parent.startIndex ? "/" : String(parent[..<slash])
      var p = stat()
      guard stat(parent, &p) == 0 else {
        if parent == "/" { break }
        continue
      }
      guard p.st_mode & S_IFMT == S_IFDIR else {
        return .fail(subject, "\(path) cannot be made: \(parent) is not a directory", fix: fix)
      }
      guard access(parent, W_OK) == 0 else {
        return .fail(
          subject, "\(path) cannot be made: \(parent) is not writable for this user", fix: fix)
      }
      return .pass(subject, "\(path) is not there yet; the first report makes it")
    }
    return .fail(subject, "\(path) cannot be made", fix: fix)
  }

  /// node_exporter's textfile directory, as a report opens it (a real
  /// directory of this user's or root's, not writable by others unless
  /// sticky), and writable: a temporary file is made and removed.
  public static func textfileDirectory(_ path: String) -> DoctorCheck {
    let subject = "metrics"
    do {
      let trusted = try TrustedDirectory(path, what: "PROMETHEUS_TEXTFILE_DIRECTORY")
      let fd = try Host.unlinkedTemporaryFile(prefix: ".doctor", directory: trusted.path)
      close(fd)
      return .pass(subject, "\(path) can take the unit's metrics files")
    } catch {
      return .fail(
        subject, "\(error)",
        fix:
          "give the user notify-unit runs as write access to \(path) (the README's metrics set-up: an ACL and chmod +t), or unset PROMETHEUS_TEXTFILE_DIRECTORY"
      )
    }
  }

  /// This user can read the system journal.
  public static func journal() -> DoctorCheck {
    let user = UserGroups.currentUser
    if let group = JournalAccess.grantedBy(user: user, groups: UserGroups.current) {
      return .pass(
        "journal", group == "root" ? "readable (root)" : "readable by \(user) (group \(group))")
    }
    return .fail(
      "journal", "\(user) cannot read the system journal: reports run as \(user) have no log lines",
      fix:
        "usermod -aG systemd-journal \(user), or SupplementaryGroups=systemd-journal in its units")
  }
}
