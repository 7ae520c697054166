/// What a reply says about the body the server stored, and what follows.
public enum PingBodyFollowUp {
  /// The body size to send a `/log` follow-up for, when the server's
  /// `Ping-Body-Limit` (`serverLimit`) shows it kept less than the `sent`
  /// bytes of a delivered ping; nil when it kept all, or nothing can be kept.
  public static func needed(sent: Int, serverLimit: Int?) -> Int? {
    guard let serverLimit, serverLimit > 0, serverLimit < sent else { return nil }
    return serverLimit
  }

  /// The note of a body sized for an assumed limit (PING_BODY_LIMIT), the
  /// server's own not yet known: what happens if it keeps less.
  public static func assumedLimitNote(_ limit: Int) -> String {
    "this server's ping body limit is not known yet (\(limit) bytes assumed): if it keeps less, a /log ping of this run follows with the log's tail"
  }

  /// The note of the follow-up: what the server kept of the ping before.
  public static func followUpNote(kept: Int, sent: Int, path: String) -> String {
    "the server kept only the first \(kept) of the \(sent) bytes of the \(path.isEmpty ? "success" : path) ping before this one (its Ping-Body-Limit): this /log ping carries the log's tail"
  }
}
