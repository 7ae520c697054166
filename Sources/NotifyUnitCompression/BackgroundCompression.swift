import NotifyUnitCore

#if canImport(Glibc)
  import Glibc
#endif

/// One compressed file made on a thread of its own from chunks handed over
/// while the log is still being read: with a second core, deflating costs
/// the run no time. The output is kept while it is at most `keep` bytes;
/// past that only its size is counted (nothing larger is held in memory).
final class BackgroundCompression {
  /// What the thread made: the compressed size, the bytes (in the pieces
  /// the stream gave) while at most `keep`, or the error that stopped it.
  struct Outcome {
    var size = 0
    var pieces: [[UInt8]]? = []
    var error: (any Error)? = nil
  }

  private let job: Job
  private let thread: pthread_t
  private var joined = false

  /// Starts the thread; hand it chunks with `write`, then `finish`.
  /// `queueBytes` bounds what waits between the two threads.
  init(compressor: any LogCompressor, keep: Int, queueBytes: Int = 1 << 20) throws(ThreadError) {
    let job = Job(queue: try ChunkQueue(capacity: queueBytes), compressor: compressor, keep: keep)
    // The thread holds the job (retained for it here, released when it
    // ends) so that neither side outlives what it uses.
    let context = Unmanaged.passRetained(job).toOpaque()
    var thread = pthread_t()
    let result = pthread_create(
      &thread, nil,
      { context in
        Unmanaged<Job>.fromOpaque(context!).takeRetainedValue().run()
        return nil
      }, context)
    guard result == 0 else {
      Unmanaged<Job>.fromOpaque(context).release()
      throw ThreadError(call: "pthread_create", code: result)
    }
    self.job = job
    self.thread = thread
  }

  deinit {
    if !joined {
      job.queue.stop()
      join()
    }
  }

  /// Hands `chunk` to the thread, waiting while the queue is full. False
  /// once the thread has stopped (an error): `finish` tells it.
  func write(_ chunk: [UInt8]) -> Bool { job.queue.put(chunk) }

  /// Ends the file and waits for the thread: what it made.
  func finish() -> Outcome {
    if !joined {
      job.queue.close()
      join()
    }
    // Read after pthread_join, which orders it after the thread's writes.
    return job.outcome
  }

  private func join() {
    joined = true
    let result = pthread_join(thread, nil)
    // It fails only for a thread not joinable or joined twice: a bug here.
    precondition(result == 0, "pthread_join returned \(result)")
  }

  /// The thread's side. `@unchecked Sendable`: `outcome` is written by the
  /// thread alone and read only once it has been joined; the queue is
  /// itself safe to share; the compressor is Sendable.
  private final class Job: @unchecked Sendable {
    let queue: ChunkQueue
    let compressor: any LogCompressor
    let keep: Int
    var outcome = Outcome()

    init(queue: ChunkQueue, compressor: any LogCompressor, keep: Int) {
      self.queue = queue
      self.compressor = compressor
      self.keep = keep
    }

    func run() {
      let collect = { (chunk: [UInt8]) in
        self.outcome.size += chunk.count
        if self.outcome.size <= self.keep {
          self.outcome.pieces?.append(chunk)
        } else {
          self.outcome.pieces = nil
        }
      }
      do {
        let stream = try compressor.makeStream()
        while let chunk = queue.take() { try stream.write(chunk, to: collect) }
        try stream.finish(to: collect)
      } catch {
        outcome.error = error
        outcome.pieces = nil
        queue.stop()
      }
    }
  }
}
