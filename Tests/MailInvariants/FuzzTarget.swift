/// The fuzz targets by the name of their corpus folder (Fuzz/corpus/NAME):
/// the libFuzzer entry points and the corpus replay in `swift test` run the
/// same checks.
public enum FuzzTarget: String, CaseIterable, Sendable {
  case mail, header, config, environment, http, journal, spool

  public func check(_ bytes: [UInt8]) -> Violations {
    switch self {
    case .mail: MailCheck.check(fuzzInput: bytes)
    case .header: HeaderCheck.check(fuzzInput: bytes)
    case .config: ConfigCheck.check(fuzzInput: bytes)
    case .environment: EnvironmentCheck.check(fuzzInput: bytes)
    case .http: HTTPCheck.check(fuzzInput: bytes)
    case .journal: JournalCheck.check(fuzzInput: bytes)
    case .spool: SpoolCheck.check(fuzzInput: bytes)
    }
  }
}
