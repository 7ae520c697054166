import NotifyUnitCore
import NotifyUnitSystem

/// A file holding `what` (a secret, a check): its text. A file every user
/// can read draws a warning.
public func readSecretFile(_ path: String, holding what: String = "a secret") -> Result<
  String, ConfigurationError
> {
  switch Host.readFile(path, maxBytes: 4096) {
  case .failure(let error): return .failure(.invalid("\(error)"))
  case .success(let text):
    if Host.isReadableByOthers(path) {
      say("\(path) holds \(what) and every user can read it: chmod o-r \(path)", priority: .warning)
    }
    return .success(text)
  }
}

/// CHECK as given; read from a file with `file:PATH`; or taken from the
/// environment with `env:NAME` (systemd's EnvironmentFile=), nil when that
/// is unset or empty: no ping. The check is a secret, and a command line is
/// shown to every user (`systemctl show`, ps), a file or the environment
/// is not. A check file others can read draws a warning.
public func resolveCheck(_ value: String) throws(ConfigurationError) -> String? {
  if value.hasPrefix("env:") {
    let name = String(value.dropFirst(4))
    guard !name.isEmpty,
      name.allSatisfy({ $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) })
    else {
      throw .invalid("CHECK \(value.sanitizedForDisplay(maxLength: 80)) names no variable")
    }
    let check = Host.environment[name]?.trimmingASCIIWhitespace ?? ""
    if check.isEmpty {
      // Allowed (a unit whose check is left empty pings nothing), but never silent.
      say("CHECK env:\(name): \(name) is not set or empty, so no ping is sent", priority: .warning)
      return nil
    }
    // restic.env documents HC_BACKUP=file:PATH: the variable names the file.
    return check.hasPrefix("file:") ? try resolveCheck(check) : check
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

/// The check CHECK names under HC_URL, pinged with `?create=1` under
/// HC_CREATE when it is a slug; nil when it is `env:NAME` and that is unset
/// or empty.
public func pingTarget(_ check: String, _ settings: Settings) throws(ConfigurationError)
  -> PingTarget?
{
  try resolveCheck(check).map { value throws(ConfigurationError) in
    var target = try PingTarget(check: value, baseURL: settings.hcURL)
    target.create = settings.hcCreate
    return target
  }
}
