/// "Did you mean": the known key nearest to a mistyped one, by edit
/// distance (insertions, deletions, substitutions and swaps of neighbours,
/// each counting one), so `MAIL_T0` or `MIAL_TO` points at `MAIL_TO`.
public enum KeySuggestion {
  /// The known key nearest to `key`, compared without case; nil when none
  /// is close enough to be a likely typo (at most a third of the key's
  /// length, and at least 1, edits away), or when the key is known.
  public static func nearest(to key: String, among known: [String]) -> String? {
    let typed = Array(key.uppercased().utf8)
    guard !typed.isEmpty, !known.contains(key) else { return nil }
    let limit = max(1, typed.count / 3)
    var best: (key: String, distance: Int)? = nil
    for candidate in known {
      let other = Array(candidate.uppercased().utf8)
      // Each edit changes the length by one at most: a key whose length is
      // further off than the limit is not near, without filling the table
      // (a long line of junk against every key).
      guard abs(other.count - typed.count) <= limit else { continue }
      let d = distance(typed, other)
      if d <= limit, d < (best?.distance ?? Int.max) { best = (candidate, d) }
    }
    return best?.key
  }

  /// Optimal string alignment distance: Levenshtein plus the swap of two
  /// neighbouring characters as one edit (the commonest typo).
  public static func distance(_ a: [UInt8], _ b: [UInt8]) -> Int {
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous2 = [Int](repeating: 0, count: b.count + 1)
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
      current[0] = i
      for j in 1...b.count {
        let cost = a[i - 1] == b[j - 1] ? 0 : 1
        var d = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
        if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
          d = min(d, previous2[j - 2] + 1)
        }
        current[j] = d
      }
      (previous2, previous, current) = (previous, current, previous2)
    }
    return previous[b.count]
  }
}

extension Settings {
  /// Every key a config file may set: the settings, and `KEY_FILE` for the
  /// secret ones.
  public static var configKeys: [String] { keys + secretKeys.map { $0 + "_FILE" } }

  /// "unknown setting MAIL_T0 (did you mean MAIL_TO?)": what the config load
  /// and `notify-unit doctor` say about a key no setting has.
  public static func unknownKeyMessage(_ key: String) -> String {
    let shown = key.sanitizedForDisplay(maxLength: 40)
    guard let suggestion = KeySuggestion.nearest(to: key, among: configKeys) else {
      return "unknown setting \(shown)"
    }
    return "unknown setting \(shown) (did you mean \(suggestion)?)"
  }
}
