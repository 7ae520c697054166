import ArgumentParser
import NotifyUnitCore
import NotifyUnitPipeline
import NotifyUnitSystem

/// `notify-unit status [--json]`: what notify-unit has reported and what
/// still waits, read from the state directory without changing it.
struct StatusCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "status",
    abstract: "Show the units reported (last outcome, when, mail and ping) and the spool.",
    discussion: """
      Reads the state directory (STATE_DIRECTORY, else the default one of this
      user, as the report uses) and changes nothing; and the state
      directories inside it: as root, /var/lib/notify-unit holds each
      reporting user's (the shipped units' StateDirectory=notify-unit/USER,
      such as /var/lib/notify-unit/restic), shown each in turn. Each unit: its last
      outcome, when, what became of its mail and its ping. Each report
      waiting in the spool: what, where to, since when, and why. Checks are
      never shown: a spooled ping's URL is shown as its server only.

      Examples:
        notify-unit status
        runuser -u restic -- notify-unit status --json
      """)

  @OptionGroup var configFile: ConfigFileOption

  @Option(help: "Where the state and the spool are. [STATE_DIRECTORY]")
  var stateDirectory: String?

  @Flag(help: "Print JSON instead of text.")
  var json = false

  func run() throws {
    let flags: [(key: String, value: String)] = [("STATE_DIRECTORY", stateDirectory)]
      .compactMap { key, value in value.map { (key, $0) } }
    let settings = try configFile.settings(flags: flags)
    let report: StatusOverview
    do {
      report = try Self.status(settings)
    } catch {
      say(
        "\(error): run status as the user whose runs it should show (runuser -u USER -- notify-unit status)",
        priority: .error)
      throw ExitCode(ExitStatus.noInput.rawValue)
    }
    let now = Host.nowMicroseconds
    print(
      json ? report.json(now: now) : report.text(now: now, renderer: LogRenderer()), terminator: "")
  }

  /// The state directory's status, then that of each state directory in
  /// it that this user can read (root: every user's).
  static func status(_ settings: Settings) throws(FileError) -> StatusOverview {
    let directory = UnitStateStore.defaultDirectory(
      configured: settings.stateDirectory, environment: Host.environment)
    let destination = mailTransport(settings, host: Host.name).name
    var reports = [try status(of: directory, mailDestination: destination)]
    for nested in NestedStateDirectories.below(directory) {
      do {
        reports.append(try status(of: nested, mailDestination: destination))
      } catch {
        say("\(error): not shown", priority: .warning)
      }
    }
    return StatusOverview(reports: reports)
  }

  static func status(of directory: String, mailDestination: String) throws(FileError)
    -> StatusReport
  {
    let units = try UnitStateStore.records(in: directory).map {
      StatusReport.UnitEntry(unit: $0, record: $1)
    }
    let spool = try SpoolListing.entries(
      stateDirectory: directory, mailDestination: mailDestination)
    return StatusReport(stateDirectory: directory, units: units, spool: spool)
  }
}
