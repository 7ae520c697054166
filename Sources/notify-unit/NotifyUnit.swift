import ArgumentParser
import NotifyUnitCore
import NotifyUnitPipeline
import NotifyUnitSystem

#if canImport(Glibc)
  import Glibc
#endif

@main
struct NotifyUnit: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "notify-unit",
    abstract: "Report how a systemd unit's run ended: a mail with its log, a Healthchecks ping.",
    discussion: ReportCommand.configuration.discussion,
    version: NotifyUnitVersion.string,
    subcommands: [
      ReportCommand.self, StartCommand.self, FlushCommand.self, ResendCommand.self,
      DoctorCommand.self, TestCommand.self, StatusCommand.self, HcSyncCommand.self,
    ] + (describingForTheManual ? [] : [ConfManualCommand.self]),
    defaultSubcommand: ReportCommand.self
  )

  /// man 1 is made from `--experimental-dump-help`, and the manual plugin
  /// lists every subcommand there, hidden ones too: the package build's
  /// own `conf-manual` is left out of that description.
  static let describingForTheManual =
    CommandLine.arguments.dropFirst().first
    == "--experimental-dump-help"

  /// Like ArgumentParser's own, but a bad command line is one line on
  /// stderr (the journal shows it as one entry), with `--help` for more.
  static func main() {
    // A reader that goes away (sendmail exiting early, a closed stdout) must
    // be an error to report (EPIPE), not a signal that kills the run.
    signal(SIGPIPE, SIG_IGN)
    if let problem = Capabilities.dropUnlessRoot() { say(problem, priority: .warning) }
    do {
      var command = try parseAsRoot()
      try command.run()
    } catch {
      let code = exitCode(for: error)
      if code == .success {
        print(fullMessage(for: error))  // --help, --version
      } else if error is ExitCode {
        // A run that already said what went wrong.
      } else {
        let message = self.message(for: error).firstLineTrimmed
        let line = "notify-unit: \(redactingQuotedSecrets(message)) (see notify-unit --help)\n"
        // With stderr gone there is nowhere left to say it; the exit status does.
        _ = writeFully(2, Array(line.utf8))
      }
      Glibc.exit(code.rawValue)
    }
  }
}

/// ArgumentParser quotes the arguments it complains about ('...'): one of
/// them may be a check's UUID or ping URL, which is never shown whole.
func redactingQuotedSecrets(_ message: String) -> String {
  let parts = message.split(separator: "'", omittingEmptySubsequences: false)
  return parts.enumerated().map { i, part in
    let quoted = i % 2 == 1
    let secretLike = PingTarget.isUUID(String(part)) || part.contains("/") || part.count >= 20
    return quoted && secretLike ? String(part.prefix(4)) + "…" : String(part)
  }.joined(separator: "'")
}
