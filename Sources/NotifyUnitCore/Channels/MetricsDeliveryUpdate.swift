/// A flush's change to a unit's metrics file (`MetricsFile.text`): the
/// spool's count by channel, and `last_delivery_failed` back to 0 for a
/// channel whose last report the flush delivered. Every other line (the
/// run's outcome, its times) stays as the report wrote it.
public enum MetricsDeliveryUpdate {
  /// `text` with its delivery samples updated; nil when it changes nothing.
  public static func apply(
    to text: String, spooled: [String: Int], lastReportDelivered: Set<String>
  ) -> String? {
    var changed = false
    var lines: [String] = []
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
      let line = String(line)
      guard let channel = channel(of: line), let space = line.lastIndex(of: " ") else {
        lines.append(line)
        continue
      }
      let value: String
      if line.hasPrefix("notify_unit_spool_entries{") {
        value = String(spooled[channel] ?? 0)
      } else if line.hasPrefix("notify_unit_last_delivery_failed{"),
        lastReportDelivered.contains(channel)
      {
        value = "0"
      } else {
        lines.append(line)
        continue
      }
      let updated = line[...space] + value
      changed = changed || updated != line
      lines.append(String(updated))
    }
    return changed ? lines.joined(separator: "\n") : nil
  }

  /// The `channel` label's value of a sample line (as `MetricsFile.label`
  /// escapes it), nil when it has none.
  static func channel(of line: String) -> String? {
    guard let start = line.range(of: ",channel=\"")?.upperBound else { return nil }
    var value = ""
    var escaped = false
    for c in line[start...] {
      if escaped {
        value.append(c == "n" ? "\n" : c)
        escaped = false
      } else if c == "\\" {
        escaped = true
      } else if c == "\"" {
        return value
      } else {
        value.append(c)
      }
    }
    return nil
  }
}
