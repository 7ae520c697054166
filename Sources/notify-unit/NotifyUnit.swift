import ArgumentParser
import NotifyUnitCore

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
    subcommands: [ReportCommand.self],
    defaultSubcommand: ReportCommand.self
  )

  /// Like ArgumentParser's own, but a bad command line is one line on
  /// stderr (the journal shows it as one entry), with `--help` for more.
  static func main() {
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
        let message = self.message(for: error).split(separator: "\n").first.map(String.init) ?? ""
        let line = "notify-unit: \(message) (see notify-unit --help)\n"
        _ = Array(line.utf8).withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
      }
      Glibc.exit(code.rawValue)
    }
  }
}
