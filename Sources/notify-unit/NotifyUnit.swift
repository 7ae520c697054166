import ArgumentParser
import NotifyUnitCore

@main
struct NotifyUnit: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "notify-unit",
    abstract: "Report how a systemd unit's run ended: a mail with its log, a Healthchecks ping.",
    discussion: """
      Run from a unit's ExecStopPost= line, notify-unit reads SERVICE_RESULT,
      EXIT_CODE, EXIT_STATUS and INVOCATION_ID from systemd, collects the
      invocation's journal entries, mails the report through sendmail and pings
      Healthchecks (success, or /fail).

      Examples:
        ExecStopPost=-/usr/local/bin/notify-unit backup.service 5f1e...-uuid
        notify-unit --dry-run --mail-to root backup.service
        notify-unit --journal-file run.journal --invocation-id ID --dry-run \\
            --mail-to admin@example.org backup.service

      Exit status: 0 delivered; 64 bad command line; 69 delivery refused
      (sendmail error, ping answered 4xx); 75 delivery failed for now
      (sendmail missing, exit 75 or timeout; ping retries or deadline
      exhausted); 78 bad config file (the report was still sent).
      """,
    version: NotifyUnitVersion.string,
    subcommands: [ReportCommand.self],
    defaultSubcommand: ReportCommand.self
  )
}
