import ArgumentParser
import NotifyUnitCore
import NotifyUnitPipeline

/// `--config FILE`, shared by every subcommand.
struct ConfigFileOption: ParsableArguments {
  @Option(help: "Config file in EnvironmentFile= syntax (a missing default file is fine).")
  var config = defaultConfigPath

  /// The settings of the config file and `flags`, or the run stops here:
  /// fail closed, so that a file that cannot be read or a value refused
  /// never lets the defaults (hc-ping.com, another directory) stand in for
  /// what the user named. Every problem is said first, then what to do:
  /// `resend` is the command that sends this run's report once corrected.
  func settings(flags: [(key: String, value: String)], resend: String? = nil) throws -> Settings {
    let (settings, status) = loadSettings(config: config, flags: flags)
    guard status == .delivered else {
      say(
        "nothing was sent: correct the settings named above"
          + (resend.map { ", then `\($0)` sends this run's report" } ?? ""),
        priority: .error)
      throw ExitCode(status.rawValue)
    }
    return settings
  }
}
