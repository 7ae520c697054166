import ArgumentParser
import NotifyUnitCore
import NotifyUnitPipeline
import NotifyUnitSystem

/// `notify-unit flush`: delivers what the spool holds now (every report
/// run does this first; notify-unit-flush@.timer does it periodically).
struct FlushCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "flush",
    abstract: "Deliver the reports kept in the spool (mails and pings not delivered before).",
    discussion: """
      Then reports, once, the runs the machine stopped under (started by
      `notify-unit start` in an earlier boot, never reported) as interrupted.

      Exit status: 0 when the spool is empty afterwards, 75 when reports are
      still waiting (the next run or flush tries again), 78 for a bad config
      or for files in the spool that notify-unit did not write (another
      user's, a link, a FIFO: each said, left in place, never sent or run).
      """)

  @OptionGroup var configFile: ConfigFileOption
  @OptionGroup var mail: MailOptions
  @OptionGroup var ping: PingOptions
  @OptionGroup var runOptions: RunOptions

  func run() throws {
    let flags = mail.flagValues + ping.flagValues + runOptions.flagValues
    let settings = try configFile.settings(flags: flags)
    var status = ExitStatus.delivered
    if settings.dryRun {
      // What a flush would send, and why each waits; nothing is sent.
      do {
        print(try FlushListing.text(settings), terminator: "")
      } catch {
        say("\(error)", priority: .error)
        status = max(status, .noInput)
      }
      if status != .delivered { throw ExitCode(status.rawValue) }
      return
    }
    let directory = UnitStateStore.defaultDirectory(
      configured: settings.stateDirectory, environment: Host.environment)
    do {
      let store = try UnitStateStore(directory: directory)
      let spool = try Spool(stateDirectory: store.directory)
      let result = SpoolFlush(spool: spool, settings: settings, say: say)
        .run(deadline: Deadline(secondsFromNow: settings.timeout))
      FlushBookkeeping(
        store: store, spool: spool, textfileDirectory: settings.prometheusTextfileDirectory,
        log: say
      ).record(result.settled)
      // Runs the machine stopped under: the flush at boot finds them first.
      status = max(
        status, InterruptedRuns(settings: settings, log: say).report(stateDirectory: directory))
      if result.unreadable { status = max(status, .temporaryFailure) }
      if result.refused > 0 { status = max(status, .configProblem) }
      if result.remaining > 0 {
        say("\(result.remaining) report(s) still waiting in \(spool.directory)", priority: .warning)
        status = max(status, .temporaryFailure)
      }
    } catch {
      say("\(error)", priority: .error)
      // A directory another user could plant files in waits for its owner's fix.
      status = max(status, error.isRefusal ? .configProblem : .temporaryFailure)
    }
    if status != .delivered { throw ExitCode(status.rawValue) }
  }
}
