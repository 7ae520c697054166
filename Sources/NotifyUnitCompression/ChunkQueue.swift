#if canImport(Glibc)
  import Glibc
#endif

/// Byte chunks handed from the thread that reads the log to the one that
/// compresses it. At most `capacity` bytes wait (or one larger chunk): a
/// slower consumer holds the producer back rather than letting the log
/// pile up in memory.
///
/// `@unchecked Sendable`: the chunks and flags are read and written only
/// with `mutex` held; the mutex and the condition live at fixed addresses
/// (pthread forbids moving them), allocated here and freed in deinit.
final class ChunkQueue: @unchecked Sendable {
  private let mutex: UnsafeMutablePointer<pthread_mutex_t>
  private let changed: UnsafeMutablePointer<pthread_cond_t>
  private var chunks: [[UInt8]] = []
  private var waiting = 0
  private var closed = false
  private var stopped = false
  let capacity: Int

  init(capacity: Int) throws(ThreadError) {
    self.capacity = max(capacity, 1)
    let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    let changed = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    var result = pthread_mutex_init(mutex, nil)
    if result == 0 {
      result = pthread_cond_init(changed, nil)
      if result != 0 { pthread_mutex_destroy(mutex) }
    }
    guard result == 0 else {
      mutex.deallocate()
      changed.deallocate()
      throw ThreadError(call: "pthread_mutex_init/pthread_cond_init", code: result)
    }
    self.mutex = mutex
    self.changed = changed
  }

  deinit {
    pthread_cond_destroy(changed)
    pthread_mutex_destroy(mutex)
    changed.deallocate()
    mutex.deallocate()
  }

  /// Queues `chunk`, waiting while the queue is full. False when the
  /// consumer has stopped: nothing more is wanted.
  func put(_ chunk: [UInt8]) -> Bool {
    locked {
      while !chunks.isEmpty, waiting + chunk.count > capacity, !stopped { wait() }
      guard !stopped, !closed else { return false }
      chunks.append(chunk)
      waiting += chunk.count
      signal()
      return true
    }
  }

  /// The next chunk, waiting for one; nil once the queue is closed and
  /// empty, or stopped.
  func take() -> [UInt8]? {
    locked {
      while chunks.isEmpty, !closed, !stopped { wait() }
      guard !chunks.isEmpty else { return nil }
      signal()
      waiting -= chunks[0].count
      return chunks.removeFirst()
    }
  }

  /// No more chunks will come (producer's side).
  func close() {
    locked {
      closed = true
      signal()
    }
  }

  /// No more chunks are wanted (consumer's side): drops those waiting.
  func stop() {
    locked {
      stopped = true
      chunks.removeAll()
      waiting = 0
      signal()
    }
  }

  /// Both sides wait on one condition: only two threads use the queue.
  private func signal() { check(pthread_cond_broadcast(changed), "pthread_cond_broadcast") }
  private func wait() { check(pthread_cond_wait(changed, mutex), "pthread_cond_wait") }

  private func locked<T>(_ body: () -> T) -> T {
    check(pthread_mutex_lock(mutex), "pthread_mutex_lock")
    defer { check(pthread_mutex_unlock(mutex), "pthread_mutex_unlock") }
    return body()
  }

  /// These fail only on misuse (a mutex not held, not initialised): a
  /// bug here, never a condition to carry on from.
  private func check(_ result: Int32, _ call: StaticString) {
    precondition(result == 0, "\(call) returned \(result)")
  }
}
