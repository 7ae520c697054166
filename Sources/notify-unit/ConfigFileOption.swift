import ArgumentParser
import NotifyUnitPipeline

/// `--config FILE`, shared by every subcommand.
struct ConfigFileOption: ParsableArguments {
  @Option(help: "Config file in EnvironmentFile= syntax (a missing default file is fine).")
  var config = defaultConfigPath
}
