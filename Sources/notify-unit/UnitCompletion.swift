import ArgumentParser

extension CompletionKind {
  /// UNIT: the services systemd knows, loaded or not (a report is about a
  /// service's run). No quotes in the command: each shell's script embeds
  /// it in quotes of its own.
  static let systemdServices = CompletionKind.shellCommand(
    "systemctl list-units --all --plain --no-legend --no-pager --type=service 2>/dev/null | cut -d\\  -f1"
  )

  /// MAIL_ON's values.
  static let mailPolicies = CompletionKind.list(["always", "failure", "change"])
}
