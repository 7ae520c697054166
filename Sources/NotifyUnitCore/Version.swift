/// The version `--version` prints and the ping's User-Agent carries.
public enum NotifyUnitVersion {
  public static let string = "0.1.0"
}
