/// A notification for a phone or a chat (ntfy, Apprise): a title, the
/// headline, and a short body: the reason, the notes, and the log's last
/// lines, whole lines only, within a byte limit (ntfy turns a message over
/// 4,096 bytes into an attachment).
public struct PushMessage: Sendable, Equatable {
  public var title: String
  public var body: String
  public var verdict: Verdict
  public var recovered: Bool

  /// ntfy's message limit (DefaultMessageSizeLimit).
  public static let ntfyLimit = 4096

  public init(report: Report, maxBodyBytes: Int) {
    title = report.headline
    verdict = report.verdict
    recovered = report.recovered
    var head: [String] = []
    if let reason = report.reason { head.append(reason) }
    head += report.notes.prefix(3).map { "note: " + $0.sanitizedForDisplay(maxLength: 300) }
    var text = head.joined(separator: "\n")
    if text.utf8.count > maxBodyBytes {
      text = String(text.unicodeScalars.prefix(maxBodyBytes / 4).map(Character.init))
    }
    // Whole lines from the end while they fit, after a blank line.
    var budget = maxBodyBytes - text.utf8.count - 2
    var lines: [String] = []
    for line in report.tail.keptLines.reversed() {
      let shown = String(decoding: line.last == 0x0A ? line.dropLast() : line[...], as: UTF8.self)
      guard shown.utf8.count + 1 <= budget else { break }
      budget -= shown.utf8.count + 1
      lines.append(shown)
    }
    if !lines.isEmpty {
      text += (text.isEmpty ? "" : "\n\n") + lines.reversed().joined(separator: "\n")
    }
    body = text.isEmpty ? report.headline : text
  }

  /// ntfy's priority: failures high (4), warnings and recoveries default
  /// (3), successes and skipped runs low (2).
  public var ntfyPriority: Int {
    switch verdict {
    case .failure, .interrupted: 4
    case .warning: 3
    case .success: recovered ? 3 : 2
    case .skipped: 2
    }
  }

  /// ntfy's tags: emoji short codes it shows as emoji, then the verdict.
  public var ntfyTags: [String] {
    switch verdict {
    case .failure, .interrupted: ["rotating_light", verdict.rawValue]
    case .warning: ["warning", "warning"]
    case .success: recovered ? ["white_check_mark", "recovered"] : ["white_check_mark", "success"]
    case .skipped: ["fast_forward", "skipped"]
    }
  }

  /// Apprise's notification type (`apprise -n`).
  public var appriseType: String {
    switch verdict {
    case .failure, .interrupted: "failure"
    case .warning: "warning"
    case .success: "success"
    case .skipped: "info"
    }
  }
}
