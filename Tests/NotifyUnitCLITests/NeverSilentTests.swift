import Foundation
import TestSupport
import Testing

/// A misconfiguration a new user makes is said on stderr (so in the unit's
/// journal) with its fix, with an exit status that shows it; never a run
/// that exits 0 having told no one.
@Suite struct NeverSilentTests {
  func oneLine(_ result: CommandResult) -> Bool {
    result.stderr.split(separator: "\n").count == 1 && result.stderr.hasSuffix("\n")
  }

  @Test func optionsBeforeASubcommandsNameAreRefusedNotReportedAsAUnit() throws {
    let state = try Paths.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: state) }
    for subcommand in ["flush", "resend", "start", "report"] {
      let result = try notifyUnit(
        ["--dry-run", subcommand], environment: ["STATE_DIRECTORY": state.path])
      #expect(result.status == 64, "\(subcommand): \(result.stderr)")
      #expect(oneLine(result), "\(result.stderr)")
      #expect(result.stderr.contains("notify-unit \(subcommand) --dry-run"))
      #expect(result.stdout.isEmpty)
    }
    // After its name, the option is the subcommand's.
    let flush = try notifyUnit(
      ["flush", "--dry-run"], environment: ["STATE_DIRECTORY": state.path])
    #expect(flush.status == 0, "\(flush.stderr)")
    // No report of a unit called "flush" was recorded.
    let recorded = try FileManager.default.contentsOfDirectory(atPath: state.path)
    #expect(!recorded.contains { $0.contains("flush") }, "\(recorded)")
  }

  @Test(arguments: ["backup", "backup.servic", "back up.service", "x@.service", "-"])
  func aUnitThatIsNotAUnitNameIsRefused(unit: String) throws {
    let result = try notifyUnit(["--dry-run", "--mail-to", "a@b.org", "--", unit])
    #expect(result.status == 64, "\(result.stderr)")
    #expect(oneLine(result), "\(result.stderr)")
    #expect(result.stdout.isEmpty)
  }

  @Test func nothingToDeliverToIsAMisconfiguration() throws {
    let run = try HostileRun(hugeLine: false)
    defer { run.cleanUp() }
    let result = try notifyUnit(
      ["--journal-file", run.path, "backup.service"], environment: run.outcomeEnvironment)
    #expect(result.status == 78)
    #expect(oneLine(result), "\(result.stderr)")
    #expect(result.stderr.contains("nothing to deliver"))
    #expect(result.stderr.contains("MAIL_TO"))
    // A check from an unset variable is no check: still nothing, and said.
    let unset = try notifyUnit(
      ["--journal-file", run.path, "backup.service", "env:HC_NOT_SET"],
      environment: run.outcomeEnvironment)
    #expect(unset.status == 78)
    #expect(unset.stderr.contains("HC_NOT_SET is not set"))
  }

  @Test func aCheckFromAnUnsetVariableIsNamedAndTheMailStillGoes() throws {
    let run = try HostileRun(hugeLine: false)
    defer { run.cleanUp() }
    let result = try notifyUnit(
      [
        "--dry-run", "--journal-file", run.path, "--mail-to", "a@b.org", "backup.service",
        "env:HC_BACKUP",
      ], environment: run.outcomeEnvironment.merging(["HC_BACKUP": ""]) { $1 })
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stderr.contains("env:HC_BACKUP: HC_BACKUP is not set or empty"))
    #expect(!result.stdout.isEmpty)  // the mail
    #expect(!result.stderr.contains("ping: POST"))
  }

  @Test func aJournalThatCannotBeOpenedIsNamedWithTheReason() throws {
    let dir = try Paths.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let missing = dir.appendingPathComponent("run.journal").path
    let file = try notifyUnit(["--mail-to", "a@b.org", "--journal-file", missing, "x.service"])
    #expect(file.status == 66)
    #expect(oneLine(file), "\(file.stderr)")
    #expect(file.stderr.contains(missing) && file.stderr.contains("No such file or directory"))
    // An error, as journald reads it (`journalctl -p err` finds it).
    #expect(file.stderr.hasPrefix("<3>notify-unit: "), "\(file.stderr)")
    let directory = try notifyUnit([
      "--mail-to", "a@b.org", "--journal-directory", missing, "x.service",
    ])
    #expect(directory.status == 66)
    #expect(directory.stderr.contains(missing))
    // A file where a directory is named, and the other way round.
    let notDirectory = try notifyUnit([
      "--mail-to", "a@b.org", "--journal-directory", "/dev/null", "x.service",
    ])
    #expect(notDirectory.status == 66)
    #expect(notDirectory.stderr.contains("Not a directory"))
  }

  @Test func flushAndResendTakeTheDeliveryOptionsOfTheReport() throws {
    let state = try Paths.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: state) }
    let delivery = [
      "--mail-to", "a@b.org", "--mail-from", "n@b.org", "--sendmail", "/usr/sbin/sendmail",
      "--smtp-url", "smtp://127.0.0.1:1", "--hc-url", "http://127.0.0.1:1/ping",
      "--ping-timeout", "1", "--ping-retries", "0", "--timeout", "5",
      "--state-directory", state.path,
    ]
    let flush = try notifyUnit(["flush"] + delivery)
    #expect(flush.status == 0, "\(flush.stderr)")
    let resend = try notifyUnit(["resend", "--dry-run"] + delivery + ["x.service"])
    #expect(!resend.stderr.contains("Unknown option"), "\(resend.stderr)")
    // Every option of one is an option of the other where it applies.
    let helps = try ["report", "flush", "resend"].map { try notifyUnit([$0, "--help"]).stdoutText }
    for option in delivery where option.hasPrefix("--") {
      for help in helps { #expect(help.contains(option), "\(option)") }
    }
  }

  @Test func helpExamplesKeepTheCheckOffTheCommandLine() throws {
    for subcommand in ["report", "start", "resend"] {
      let help = try notifyUnit([subcommand, "--help"]).stdoutText
      for line in help.split(separator: "\n") where line.contains("notify-unit ") {
        let words = line.split(separator: " ")
        #expect(
          !words.contains {
            $0.contains("UUID") || $0.count == 36 && $0.filter { $0 == "-" }.count == 4
          },
          "\(line)")
      }
      #expect(help.contains("env:"), "\(subcommand)")
    }
  }
}
