import ArgumentParser
import NotifyUnitCore

/// `notify-unit conf-manual --date DATE`: prints notify-unit.conf(5), made
/// from the code's list of settings. Hidden: the package build runs it.
struct ConfManualCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "conf-manual",
    abstract: "Print the notify-unit.conf(5) manual page (mdoc).",
    shouldDisplay: false)

  @Option(help: "The page's date, e.g. \"December 1, 2026\" (the package's, for reproducibility).")
  var date: String

  func run() {
    print(SettingsManualPage.render(date: date), terminator: "")
  }
}
