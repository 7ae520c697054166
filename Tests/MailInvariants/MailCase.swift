import NotifyUnitCompression
import NotifyUnitCore

/// One report to mail: everything from outside (unit name, host name,
/// description, SERVICE_RESULT, INVOCATION_ID, log identifier and messages)
/// and the size limits. Built from a fuzz input or by the property tests.
public struct MailCase: Sendable {
  public var unit: String
  public var host: String
  /// The unit's Description= (its status, read over D-Bus); nil: no status.
  public var description: String?
  public var serviceResult: String
  public var exitCode: String?
  public var exitStatus: String?
  /// INVOCATION_ID as the environment had it (normalized as the CLI does).
  public var invocation: String?
  public var identifier: [UInt8]
  public var pid: [UInt8]
  public var priority: UInt8?
  public var messages: [[UInt8]]
  public var bodyMaxLines = MailSettings.defaultBodyMaxLines
  public var bodyMaxBytes = MailSettings.defaultBodyMaxBytes
  public var attachmentMaxBytes = MailSettings.defaultAttachmentMaxBytes
  public var maxReadableLineBytes = 4096
  public var tailCapacityBytes = 100_000
  /// False: no archive, as when the temporary log file could not be made.
  public var withArchive = true
  /// False: no compressor, the log is attached plain.
  public var withCompressor = true
  public var compressAboveBytes = MailSettings.defaultCompressAboveBytes
  /// True: the sender is `MailAddress.defaultSender(host:)`, built from the
  /// (hostile) host name.
  public var defaultSender = false
  public var recovered = false
  /// A note naming the unit, as the CLI's notes do.
  public var noteWithUnit = false
  public var nonce = "0123456789abcdef"
  public var createdAt: UInt64 = 1_795_000_000_000_000

  public init(
    unit: String, host: String, description: String? = nil, serviceResult: String = "exit-code",
    exitCode: String? = "exited", exitStatus: String? = "1",
    invocation: String? = "0123456789abcdef0123456789abcdef",
    identifier: [UInt8] = Array("restic".utf8), pid: [UInt8] = Array("42".utf8),
    priority: UInt8? = 6, messages: [[UInt8]]
  ) {
    self.unit = unit
    self.host = host
    self.description = description
    self.serviceResult = serviceResult
    self.exitCode = exitCode
    self.exitStatus = exitStatus
    self.invocation = invocation
    self.identifier = identifier
    self.pid = pid
    self.priority = priority
    self.messages = messages
  }

  /// Fields (see `FuzzFields`): 0 knobs, 1 unit, 2 host, 3 description,
  /// 4 SERVICE_RESULT, 5 identifier, 6 INVOCATION_ID, 7... one log message
  /// each. Knob bytes pick limits from small tables (index 0 is the
  /// default), so the fuzzer reaches the attachment, cut lines and the cap.
  public init(fuzz bytes: [UInt8]) {
    let f = FuzzFields(bytes)
    func pick<T>(_ offset: Int, _ table: [T]) -> T {
      table[Int(f.byte(0, offset, default: 0)) % table.count]
    }
    self.init(
      unit: f.text(1), host: f.text(2), description: f.optionalText(3),
      serviceResult: f.text(4), invocation: f.optionalText(6), identifier: f[5],
      messages: Array(f.fields.dropFirst(7)))
    bodyMaxLines = pick(0, [200, 0, 1, 2, 3, 5, 10, 200])
    bodyMaxBytes = pick(1, [65536, 0, 40, 200, 1000, 4096, 65536, 100])
    attachmentMaxBytes = pick(2, [10 << 20, 0, 50, 120, 400, 2000, 100_000, 10 << 20])
    maxReadableLineBytes = pick(3, [4096, 64, 100, 200, 400, 1000, 4096, 10])
    let flags = f.byte(0, 4, default: 0)
    withArchive = flags & 1 == 0
    defaultSender = flags & 2 != 0
    recovered = flags & 4 != 0
    noteWithUnit = flags & 8 != 0
    let p = f.byte(0, 5, default: 6)
    priority = p == 0xFF ? nil : p & 7
    let exits: [(String?, String?)] = [
      ("exited", "1"), ("exited", "0"), ("killed", "TERM"), ("dumped", "SEGV"), (nil, nil),
      ("exited", "300"), ("\n", "\u{1B}"), ("exited", "3"),
    ]
    (exitCode, exitStatus) = pick(6, exits)
    tailCapacityBytes = pick(7, [100_000, 0, 100, 1000])
    withCompressor = flags & 16 == 0
    compressAboveBytes = pick(8, [MailSettings.defaultCompressAboveBytes, 0, 100, 1000])
  }

  /// SERVICE_RESULT, EXIT_CODE and EXIT_STATUS as systemd would set them.
  public var environment: [String: String] {
    var env = ["SERVICE_RESULT": serviceResult]
    if let exitCode { env["EXIT_CODE"] = exitCode }
    if let exitStatus { env["EXIT_STATUS"] = exitStatus }
    return env
  }

  public var settings: MailSettings {
    let sender =
      defaultSender
      ? MailAddress.defaultSender(host: host) : try! MailAddress(parsing: "notify-unit@example.org")
    var settings = MailSettings(
      recipients: MailCase.recipients, sender: sender, bodyMaxLines: bodyMaxLines,
      bodyMaxBytes: bodyMaxBytes, attachmentMaxBytes: attachmentMaxBytes)
    settings.compressAboveBytes = compressAboveBytes
    return settings
  }

  /// Two recipients, one with a non-ASCII display name (encoded words).
  public static let recipients = [
    try! MailAddress(parsing: "admin@example.org"),
    try! MailAddress(parsing: "Jörg Backup <jb@example.org>"),
  ]

  public var renderer: LogRenderer {
    LogRenderer(zone: .utc, maxReadableLineBytes: maxReadableLineBytes)
  }

  public var records: [LogRecord] {
    messages.enumerated().map { i, message in
      LogRecord(
        realtime: createdAt - 60_000_000 + UInt64(i) * 1_000, priority: priority,
        identifier: identifier, pid: pid, message: message)
    }
  }

  /// The message as notify-unit writes it, and what wrote it.
  public func compose() -> ComposedMail {
    let renderer = self.renderer
    var report = Report(
      unit: unit, host: host, outcome: RunOutcome(environment: environment),
      invocationID: invocation.flatMap(normalizedInvocationID),
      tailCapacityBytes: tailCapacityBytes, createdAt: createdAt)
    if let description {
      var status = UnitStatus()
      status.description = description
      status.activeState = "failed"
      status.subState = "failed"
      status.result = serviceResult
      status.mainPID = 42
      report.status = status
    }
    report.recovered = recovered
    if noteWithUnit { report.notes.append("The journal of \(unit) could not be read.") }
    let archive = MemoryLogArchive()
    let records = self.records
    for record in records {
      report.add(record, renderer: renderer)
      // The archive as the pipeline's LogCollector writes it: this is the
      // renderer under test, which MailCheck judges by LogLineRule.
      var exact: [UInt8] = []
      renderer.appendExactLine(record, to: &exact)
      try! archive.append(exact)
    }
    report.finish(renderer: renderer)
    let composer = MailComposer(
      report: report, settings: settings, renderer: renderer, nonce: nonce,
      compressor: withCompressor ? Gzip() : nil)
    let sink = BufferSink()
    try! composer.write(to: sink, archive: withArchive ? archive : nil)
    let plan =
      composer.needsAttachment && withArchive ? try! composer.attachmentPlan(archive: archive) : nil
    return ComposedMail(
      message: sink.bytes, report: report, composer: composer, records: records, plan: plan)
  }
}

/// A composed message and what made it.
public struct ComposedMail {
  public var message: [UInt8]
  public var report: Report
  public var composer: MailComposer
  public var records: [LogRecord]
  /// What the composer meant to attach, for comparing its text.
  public var plan: AttachmentPlan?
}
