import MailInvariants

#if canImport(Glibc)
  import Glibc
#endif

// One libFuzzer binary for every target: FUZZ_TARGET names it (mail,
// header, config, environment; see scripts/fuzz). A broken invariant traps,
// and libFuzzer keeps the input. The checks are FuzzTarget's, which the
// corpus replay in `swift test` runs too.
let target: FuzzTarget = {
  let name = getenv("FUZZ_TARGET").map { String(cString: $0) } ?? ""
  guard let target = FuzzTarget(rawValue: name) else {
    let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
    let message = Array("FUZZ_TARGET must be one of: \(names)\n".utf8)
    _ = message.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    exit(64)
  }
  return target
}()

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  let input = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
  trapOnViolations(target.check(input), input: input)
  return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
  _ argc: UnsafeMutablePointer<CInt>,
  _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
  _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

// SwiftPM names an executable's entry point MODULE_main and links it as
// main(), so libFuzzer's own main() stays out: its driver runs from here.
_ = target
var count = CommandLine.argc
var arguments: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(runFuzzerDriver(&count, &arguments, fuzzOne))
