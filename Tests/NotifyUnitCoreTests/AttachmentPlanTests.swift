import Testing

@testable import NotifyUnitCore

/// The plan takes the whole log's gzip from an archive that made it while
/// the log was read, instead of compressing the log again.
@Suite struct AttachmentPlanTests {
  /// "Compresses" to the input itself: its size tells what was compressed.
  struct IdentityCompressor: LogCompressor {
    let fileExtension = ".id"
    let contentType = "application/octet-stream"
    func makeStream() throws -> any CompressionStream { IdentityStream() }
  }

  final class IdentityStream: CompressionStream {
    func write(_ bytes: [UInt8], to output: ([UInt8]) throws -> Void) throws { try output(bytes) }
    func finish(to output: ([UInt8]) throws -> Void) throws {}
  }

  /// A memory archive that says it compressed the whole log into `whole`.
  final class PrecompressedArchive: LogArchive {
    let log = MemoryLogArchive()
    let whole: CompressedLog?
    init(lines: Int, whole: CompressedLog?) throws {
      self.whole = whole
      for i in 0..<lines { try log.append(Array("line \(i) of a restic run, padded\n".utf8)) }
    }
    var totalBytes: Int { log.totalBytes }
    func append(_ lines: [UInt8]) throws { try log.append(lines) }
    func readTail(maxBytes: Int, _ body: ([UInt8]) throws -> Void) throws -> Int {
      try log.readTail(maxBytes: maxBytes, body)
    }
    func compressedWhole() throws -> CompressedLog? { whole }
  }

  func composer(attachmentMaxBytes: Int) throws -> MailComposer {
    let report = Report(
      unit: "backup.service", host: "nas",
      outcome: RunOutcome(environment: ["SERVICE_RESULT": "exit-code"]), invocationID: nil,
      tailCapacityBytes: 1000, createdAt: 0)
    let settings = MailSettings(
      recipients: [try MailAddress(parsing: "admin@example.org")],
      sender: try MailAddress(parsing: "notify-unit@nas"), attachmentMaxBytes: attachmentMaxBytes)
    return MailComposer(
      report: report, settings: settings, renderer: LogRenderer(zone: .utc), nonce: "n",
      compressor: IdentityCompressor())
  }

  /// Over the limit uncompressed, under it as the archive's gzip: the
  /// archive's bytes are attached whole (compressing again would measure
  /// the log's own size, over the limit, and attach only its end).
  @Test func theArchivesGzipOfTheWholeLogIsAttached() throws {
    let gzip: [UInt8] = [0x1F, 0x8B, 1, 2, 3]
    let archive = try PrecompressedArchive(
      lines: 10_000, whole: CompressedLog(size: gzip.count, pieces: [gzip]))
    #expect(archive.totalBytes > 200_000)
    let plan = try composer(attachmentMaxBytes: 100_000).attachmentPlan(archive: archive)
    #expect(plan.isWhole && plan.compressed && !plan.note)
    #expect(plan.tailBytes == archive.totalBytes)
    #expect(plan.gzip == [gzip])
  }

  /// A log that would fit even uncompressed is not measured, but the gzip
  /// at hand is still used: the mail does not deflate it again.
  @Test func aGzipAtHandIsUsedBelowTheLimitToo() throws {
    let gzip: [UInt8] = [0x1F, 0x8B, 9]
    let archive = try PrecompressedArchive(
      lines: 3000, whole: CompressedLog(size: gzip.count, pieces: [gzip]))
    let plan = try composer(attachmentMaxBytes: 1_000_000).attachmentPlan(archive: archive)
    #expect(plan.isWhole && plan.compressed)
    #expect(plan.gzip == [gzip])
  }

  /// The archive's gzip is over the limit: its size steers the first cut,
  /// and the end that fits is compressed from the archive.
  @Test func aGzipOverTheLimitLeadsToTheLogsEnd() throws {
    let archive = try PrecompressedArchive(
      lines: 10_000, whole: CompressedLog(size: 1_000_000, pieces: nil))
    let plan = try composer(attachmentMaxBytes: 100_000).attachmentPlan(archive: archive)
    #expect(!plan.isWhole && plan.note && plan.compressed)
    // In proportion to the archive's measure: 100,000 / 1,000,000 of the
    // log, less the margin (compressing it whole again would measure it
    // with the identity, and cut nearer the limit).
    #expect(plan.tailBytes < archive.totalBytes / 10)
    #expect(plan.tailBytes > archive.totalBytes / 20)
    let gzip = try #require(plan.gzip).joined()
    #expect(gzip.count <= plan.tailBytes + 200)
  }
}
