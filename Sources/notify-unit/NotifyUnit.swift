import ArgumentParser
import NotifyUnitCore

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
}
