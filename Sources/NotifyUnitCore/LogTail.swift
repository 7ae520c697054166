/// The last elements of a log, bounded by a cost in bytes: a run of a
/// million lines keeps only what the mail body and the ping can show, so
/// memory stays flat.
public struct BoundedTail<Element: TailCosted & Sendable>: Sendable {
  public let capacityBytes: Int
  private var items: [Element] = []
  private var costs: [Int] = []
  private var head = 0  // index of the oldest kept element
  public private(set) var byteCount = 0
  /// Elements that were appended and then pushed out (or never fitted).
  public private(set) var droppedCount = 0

  public init(capacityBytes: Int) {
    self.capacityBytes = max(capacityBytes, 0)
  }

  public var count: Int { items.count - head }

  /// The kept elements, oldest first.
  public var kept: ArraySlice<Element> { items[head...] }

  public mutating func append(_ item: Element) {
    let c = item.tailCost
    items.append(item)
    costs.append(c)
    byteCount += c
    // The newest element stays even when it alone is over the capacity:
    // the last line of a log is the one a report must never lose.
    while byteCount > capacityBytes, head < items.count - 1 {
      byteCount -= costs[head]
      head += 1
      droppedCount += 1
    }
    // Compact now and then so dropped slots do not accumulate.
    if head > 1024, head * 2 > items.count {
      items.removeFirst(head)
      costs.removeFirst(head)
      head = 0
    }
  }

  /// The last elements that fit both limits, oldest first; the newest one
  /// even when it alone is over `maxBytes`.
  public func suffix(maxCount: Int, maxBytes: Int) -> ArraySlice<Element> {
    var bytes = 0
    var start = items.count
    while start > head, items.count - start < maxCount {
      let size = costs[start - 1]
      if bytes + size > maxBytes, start < items.count { break }
      bytes += size
      start -= 1
    }
    return items[start...]
  }
}

/// Readable log lines, bounded by their size.
public typealias LogTail = BoundedTail<[UInt8]>

/// What an element of a `BoundedTail` costs, in bytes.
public protocol TailCosted {
  var tailCost: Int { get }
}

extension Array: TailCosted where Element == UInt8 {
  public var tailCost: Int { count }
}

extension BoundedTail where Element == [UInt8] {
  public var keptLines: ArraySlice<[UInt8]> { kept }
  public var droppedLines: Int { droppedCount }

  public func suffix(maxLines: Int, maxBytes: Int) -> ArraySlice<[UInt8]> {
    suffix(maxCount: maxLines, maxBytes: maxBytes)
  }
}
