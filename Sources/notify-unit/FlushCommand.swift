import ArgumentParser
import NotifyUnitCore
import NotifyUnitSystem

/// `notify-unit flush`: delivers what the spool holds now (every report
/// run does this first; notify-unit-flush@.timer does it periodically).
struct FlushCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "flush",
    abstract: "Deliver the reports kept in the spool (mails and pings not delivered before).",
    discussion: """
      Exit status: 0 when the spool is empty afterwards, 75 when reports are
      still waiting (the next run or flush tries again), 78 for a bad config.
      """)

  @OptionGroup var configFile: ConfigFileOption

  @Option(help: "Where the state and the spool are. [STATE_DIRECTORY]")
  var stateDirectory: String?

  @Option(help: "Deadline in seconds. [TIMEOUT, default 45]")
  var timeout: String?

  @Flag(help: "List what would be sent, and send nothing.")
  var dryRun = false

  func run() throws {
    let flags: [(key: String, value: String)] = [
      ("STATE_DIRECTORY", stateDirectory), ("TIMEOUT", timeout),
    ].compactMap { key, value in value.map { (key, $0) } }
    let (settings, loadStatus) = loadSettings(config: configFile.config, flags: flags)
    var status = loadStatus
    if dryRun {
      print(FlushListing.text(settings), terminator: "")
      if status != .delivered { throw ExitCode(status.rawValue) }
      return
    }
    let directory = UnitStateStore.defaultDirectory(
      configured: settings.stateDirectory, environment: Host.environment)
    do {
      let spool = try Spool(stateDirectory: try UnitStateStore(directory: directory).directory)
      let result = SpoolFlush(spool: spool, settings: settings, say: say)
        .run(deadline: Deadline(secondsFromNow: settings.timeout))
      if result.remaining > 0 {
        say("\(result.remaining) report(s) still waiting in \(spool.directory)")
        status = max(status, .temporaryFailure)
      }
    } catch {
      say("\(error)")
      status = max(status, .temporaryFailure)
    }
    if status != .delivered { throw ExitCode(status.rawValue) }
  }
}
