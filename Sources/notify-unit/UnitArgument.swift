import ArgumentParser
import NotifyUnitCore

/// UNIT must be a unit name systemd accepts: anything else is a mistake to
/// refuse (64), never a report about a unit that cannot exist. A
/// subcommand's name there means options came before it
/// (`notify-unit --dry-run flush`), which makes it a report's UNIT.
func validateUnitArgument(_ unit: String) throws {
  let subcommands = NotifyUnit.configuration.subcommands.map { $0._commandName }
  if subcommands.contains(unit) {
    throw ValidationError(
      "\"\(unit)\" is a subcommand here taken as a UNIT: put options after its name (notify-unit \(unit) --dry-run)"
    )
  }
  if let problem = unitNameProblem(unit) { throw ValidationError(problem) }
}
