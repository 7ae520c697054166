import NotifyUnitCore
import NotifyUnitSystem

/// The settings of a run: the config file first, then the flags (by config
/// key; "+KEY" appends to a list), which win. Every problem is said on
/// stderr, and the returned status says what went wrong (78 for the file,
/// 64 for a flag): a command then sends nothing (`ConfigFileOption`).
public func loadSettings(config: String, flags: [(key: String, value: String)]) -> (
  Settings, ExitStatus
) {
  var status = ExitStatus.delivered
  var settings = Settings()
  switch Host.readFile(config) {
  case .success(let text):
    for problem in settings.apply(configText: text, readFile: { readSecretFile($0) }) {
      say("\(config): \(problem)", priority: .error)
      status = max(status, .configProblem)
    }
    if !settings.secretsInConfigText.isEmpty, Host.isReadableByOthers(config, group: true) {
      let keys = settings.secretsInConfigText.joined(separator: ", ")
      say(
        "\(config) holds credentials (\(keys)) and other users can read it: chmod 0600 it, or move them to a file of their own with \(settings.secretsInConfigText[0])_FILE=",
        priority: .warning)
    }
  case .failure(let error):
    // Only the default file may be missing.
    if !(error.isMissing && config == defaultConfigPath) {
      say("\(error)", priority: .error)
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
      say("--\(flag): \(error)", priority: .error)
      status = max(status, .usage)
    }
  }
  return (settings, status)
}

/// The config file every run reads unless told otherwise.
public let defaultConfigPath = "/etc/notify-unit.conf"
