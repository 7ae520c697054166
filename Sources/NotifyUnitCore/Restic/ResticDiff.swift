/// What `restic diff` counted between two snapshots, from its "Files:" line
/// ("Files:           1 new,    45 removed,     0 changed"): the job logs
/// it after the backup (the shipped restic-backup does).
public struct ResticDiff: Sendable, Equatable {
  public var added: Int
  public var removed: Int
  public var changed: Int

  public init(added: Int, removed: Int, changed: Int) {
    self.added = added
    self.removed = removed
    self.changed = changed
  }
}
