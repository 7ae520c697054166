extension SystemBus {
  /// The manager's SystemState (`systemctl is-system-running`): "stopping"
  /// while the machine shuts down. Nil when it cannot be read.
  public func systemState() -> String? {
    try? string(
      "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager", "SystemState")
  }
}
