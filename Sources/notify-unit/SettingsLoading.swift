import ArgumentParser
import NotifyUnitCore
import NotifyUnitSystem

/// The settings of a run: the config file first, then the flags (by config
/// key; "+KEY" appends to a list), which win. A bad value is reported on
/// stderr and skipped, so the run still reports with what is valid; the
/// returned status says what went wrong (78 for the file, 64 for a flag).
func loadSettings(config: String, flags: [(key: String, value: String)]) -> (Settings, ExitStatus) {
  var status = ExitStatus.delivered
  var settings = Settings()
  switch Host.readFile(config) {
  case .success(let text):
    for problem in settings.apply(configText: text, readFile: { readSecretFile($0) }) {
      Host.printError("notify-unit: \(config): \(problem)")
      status = max(status, .configProblem)
    }
    if !settings.secretsInConfigText.isEmpty, Host.isReadableByOthers(config, group: true) {
      let keys = settings.secretsInConfigText.joined(separator: ", ")
      say(
        "\(config) holds credentials (\(keys)) and other users can read it: chmod 0600 it, or move them to a file of their own with \(settings.secretsInConfigText[0])_FILE="
      )
    }
  case .failure(let error):
    // Only the default file may be missing.
    if !(error.isMissing && config == defaultConfigPath) {
      Host.printError("notify-unit: \(error)")
      status = max(status, .configProblem)
    }
  }
  for (key, value) in flags {
    let append = key.hasPrefix("+")
    let name = append ? String(key.dropFirst()) : key
    do throws(ConfigurationError) {
      try settings.set(name, value, append: append)
    } catch {
      let flag = String(name.lowercased().map { $0 == "_" ? "-" : $0 })
      Host.printError("notify-unit: --\(flag): \(error)")
      status = max(status, .usage)
    }
  }
  return (settings, status)
}

let defaultConfigPath = "/etc/notify-unit.conf"

/// `--config FILE`, shared by every subcommand.
struct ConfigFileOption: ParsableArguments {
  @Option(help: "Config file in EnvironmentFile= syntax (a missing default file is fine).")
  var config = defaultConfigPath
}

/// One line on stderr, as every notify-unit message: "notify-unit: ...".
func say(_ line: String) { Host.printError("notify-unit: \(line)") }

/// A file holding `what` (a secret, a check): its text. A file every user
/// can read draws a warning.
func readSecretFile(_ path: String, holding what: String = "a secret") -> Result<
  String, ConfigurationError
> {
  switch Host.readFile(path, maxBytes: 4096) {
  case .failure(let error): return .failure(.invalid("\(error)"))
  case .success(let text):
    if Host.isReadableByOthers(path) {
      say("\(path) holds \(what) and every user can read it: chmod o-r \(path)")
    }
    return .success(text)
  }
}

/// CHECK as given; read from a file with `file:PATH`; or taken from the
/// environment with `env:NAME` (systemd's EnvironmentFile=), nil when that
/// is unset or empty: no ping. The check is a secret, and a command line is
/// shown to every user (`systemctl show`, ps), a file or the environment
/// is not. A check file others can read draws a warning.
func resolveCheck(_ value: String) throws(ConfigurationError) -> String? {
  if value.hasPrefix("env:") {
    let name = String(value.dropFirst(4))
    guard !name.isEmpty,
      name.allSatisfy({ $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) })
    else {
      throw .invalid("CHECK \(value.sanitizedForDisplay(maxLength: 80)) names no variable")
    }
    let check = Host.environment[name]?.trimmingASCIIWhitespace ?? ""
    return check.isEmpty ? nil : check
  }
  guard value.hasPrefix("file:") else { return value }
  let path = String(value.dropFirst(5))
  switch readSecretFile(path, holding: "a check") {
  case .failure(let error):
    throw .invalid("CHECK \(value.sanitizedForDisplay(maxLength: 200)): \(error)")
  case .success(let text):
    let check = text.firstLineTrimmed
    guard !check.isEmpty else {
      throw .invalid("CHECK \(value.sanitizedForDisplay(maxLength: 200)) is empty")
    }
    return check
  }
}

/// The check CHECK names under HC_URL; nil when it is `env:NAME` and that
/// is unset or empty.
func pingTarget(_ check: String, _ settings: Settings) throws(ConfigurationError) -> PingTarget? {
  try resolveCheck(check).map { value throws(ConfigurationError) in
    try PingTarget(check: value, baseURL: settings.hcURL)
  }
}

/// How mail leaves: SMTP when SMTP_URL is set (the envelope from MAIL_FROM
/// and MAIL_TO), else sendmail.
func mailTransport(_ settings: Settings, host: String) -> MailTransport {
  guard let relay = settings.smtpRelay else { return Sendmail(path: settings.sendmail) }
  let sender = settings.mailFrom ?? .defaultSender(host: host)
  return SMTPSubmission(
    relay: relay, sender: sender.address, recipients: settings.mailTo.map(\.address))
}
