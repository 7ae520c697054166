import NotifyUnitCore

/// SERVICE_RESULT, EXIT_CODE, EXIT_STATUS and their MONITOR_ forms to a
/// RunOutcome, and systemd's D-Bus numbers to one: never a crash, never
/// success unless the result says success, every value shown safely.
public enum EnvironmentCheck {
  /// Fields: 0 knobs (bit 0: MONITOR_ prefix; bit 1: the other prefix's
  /// SERVICE_RESULT is "success"), 1 SERVICE_RESULT, 2 EXIT_CODE,
  /// 3 EXIT_STATUS (an absent field is an unset variable), 4 eight bytes:
  /// ExecMainCode and ExecMainStatus for UnitStatus.
  public static func check(fuzzInput bytes: [UInt8]) -> Violations {
    let f = FuzzFields(bytes)
    let knobs = f.byte(0, 0, default: 0)
    let prefix = knobs & 1 == 1 ? "MONITOR_" : ""
    var env: [String: String] = [:]
    for (i, name) in ["SERVICE_RESULT", "EXIT_CODE", "EXIT_STATUS"].enumerated() {
      if let value = f.optionalText(i + 1) { env[prefix + name] = value }
    }
    // A decoy: the other set of variables says success.
    if knobs & 2 != 0 { env[(prefix.isEmpty ? "MONITOR_" : "") + "SERVICE_RESULT"] = "success" }
    func int32(_ at: Int) -> Int32 {
      var n: UInt32 = 0
      for k in 0..<4 { n = n << 8 | UInt32(f.byte(4, at + k, default: 0)) }
      return Int32(bitPattern: n)
    }
    return check(
      environment: env, prefix: prefix, execMainCode: int32(0), execMainStatus: int32(4))
  }

  public static func check(
    environment env: [String: String], prefix: String, execMainCode: Int32 = 1,
    execMainStatus: Int32 = 0
  ) -> Violations {
    var v = Violations()
    let raw = env[prefix + "SERVICE_RESULT"]
    let outcome = RunOutcome(environment: env, prefix: prefix)
    let trimmed = raw.map(trimScalars)
    if outcome.isSuccess {
      v.expect(trimmed == "success", "success from SERVICE_RESULT=\(show(raw ?? "(unset)"))")
    }
    if raw == "success" { v.expect(outcome.isSuccess, "SERVICE_RESULT=success is not success") }
    if trimmed == nil || trimmed == "" {
      v.expect(
        outcome.result == nil && outcome.resultWord == "unknown",
        "an unset or empty SERVICE_RESULT is \(show(outcome.resultWord)), not unknown")
    } else {
      v.expect(outcome.result != nil, "a set SERVICE_RESULT was dropped")
    }
    // systemd's names as they are; any other value as shown (DisplayRule,
    // at most 64 characters): a bound of 65 scalars missed the dotted
    // circle a leading mark stands on.
    let word = outcome.resultWord
    if let trimmed, !trimmed.isEmpty {
      let shown =
        knownResults.contains(trimmed) ? trimmed : DisplayRule.shown(trimmed, maxLength: 64)
      v.expect(Array(word.utf8) == Array(shown.utf8), "result word \(show(word))")
    }
    v.expect(!word.isEmpty && !MailCheck.hasControl(word), "result word \(show(word))")
    v.expect(
      !(outcome.result?.explanation ?? "x").isEmpty, "a result without an explanation")
    if let exit = outcome.mainProcess {
      let d = exit.description
      v.expect(
        !d.isEmpty && !MailCheck.hasControl(d) && d.unicodeScalars.count <= 120,
        "main process description \(show(d))")
      if case .exited(let status) = exit {
        v.expect(
          env[prefix + "EXIT_CODE"].map(trimScalars) == "exited" && (0...255).contains(status),
          "exited/\(status) from EXIT_CODE=\(show(env[prefix + "EXIT_CODE"] ?? "(unset)"))")
      }
    }
    // What the subject makes of it: the icon follows the verdict.
    let report = Report(
      unit: "x.service", host: "h", outcome: outcome, invocationID: nil, tailCapacityBytes: 0,
      createdAt: 0)
    let icon = MailCheck.expectedIcon(
      result: trimmed, exitCode: env[prefix + "EXIT_CODE"].map(trimScalars),
      exitStatus: env[prefix + "EXIT_STATUS"].map(trimScalars))
    v.expect(
      report.headline.hasPrefix(icon + " ") && !MailCheck.hasControl(report.headline),
      "headline \(show(report.headline)), expected \(icon)")

    // An OnFailure= handler on systemd < 251 reads the same over D-Bus.
    var status = UnitStatus()
    status.result = raw
    status.execMainCode = execMainCode
    status.execMainStatus = execMainStatus
    let busOutcome = status.outcome
    if busOutcome.isSuccess { v.expect(raw == "success", "success from the bus's result") }
    if let d = busOutcome.mainProcess?.description {
      v.expect(!MailCheck.hasControl(d), "bus exit description \(show(d))")
    }
    return v
  }

  /// SERVICE_RESULT's values in systemd.exec(5).
  static let knownResults: Set<String> = [
    "success", "protocol", "timeout", "exit-code", "signal", "core-dump", "watchdog",
    "start-limit-hit", "resources", "exec-condition", "oom-kill",
  ]

  /// Without leading and trailing ASCII white space, scalar by scalar.
  static func trimScalars(_ s: String) -> String {
    let isSpace = { (u: Unicode.Scalar) in u == " " || u == "\t" || u == "\n" || u == "\r" }
    var scalars = Array(s.unicodeScalars)
    while let first = scalars.first, isSpace(first) { scalars.removeFirst() }
    while let last = scalars.last, isSpace(last) { scalars.removeLast() }
    return String(String.UnicodeScalarView(scalars))
  }
}
