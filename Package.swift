// swift-tools-version:6.2
import PackageDescription

// CI sets CI=true: there every warning in this package's own targets is an
// error. Dependencies are never built that way, and a user's newer toolchain
// with new warnings still builds.
let strictness: [SwiftSetting] =
  Context.environment["CI"] == "true" ? [.treatAllWarnings(as: .error)] : []

let package = Package(
  name: "notify-unit",
  platforms: [.macOS(.v13)],
  products: [
    .executable(name: "notify-unit", targets: ["notify-unit"])
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
  ],
  targets: [
    // C boundary: module maps and shim headers only.
    .systemLibrary(
      name: "CSystemd", pkgConfig: "libsystemd", providers: [.apt(["libsystemd-dev"])]),
    // libcurl's headers (libcurl4-openssl-dev); the library itself is loaded
    // on first use, see Sources/CCurl/include/ccurl.h.
    .target(name: "CCurl", linkerSettings: [.linkedLibrary("dl")]),
    // prctl and capset, which Swift cannot call: dropping capabilities.
    .target(name: "CPrivileges"),
    // zlib (zlib1g is essential on Debian; zlib1g-dev for the headers):
    // the attached log's gzip.
    .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),

    // Pure core: outcome, report, MIME message, ping policy, config. No I/O.
    .target(name: "NotifyUnitCore", swiftSettings: strictness),

    // gzip for the attached log, behind the core's LogCompressor.
    .target(
      name: "NotifyUnitCompression", dependencies: ["NotifyUnitCore", "CZlib"],
      swiftSettings: strictness),

    // The world: journal, HTTP, sendmail, processes, clocks.
    .target(
      name: "NotifyUnitSystem",
      dependencies: ["NotifyUnitCore", "CSystemd", "CCurl", "CPrivileges"],
      swiftSettings: strictness),

    // The run as stages: outcome source, log collection, report, policy,
    // channels, state and spool. The command line calls it; tests too.
    .target(
      name: "NotifyUnitPipeline",
      dependencies: ["NotifyUnitCore", "NotifyUnitSystem", "NotifyUnitCompression"],
      swiftSettings: strictness),

    // The command line on top: parses, then calls the pipeline.
    .executableTarget(
      name: "notify-unit",
      dependencies: [
        "NotifyUnitCore", "NotifyUnitSystem", "NotifyUnitPipeline",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      swiftSettings: strictness),

    // Test peers' launchers and fixtures: real journal files, the loopback
    // Healthchecks server, a mail parser. Used by tests only.
    .target(name: "TestSupport", path: "Tests/TestSupport", swiftSettings: strictness),
    // The invariants of a mail, a header, the config and the environment,
    // shared by the fuzz targets (Fuzz/) and the tests. The core, gzip to
    // compose with, and zlib's own inflate to judge its output.
    .target(
      name: "MailInvariants", dependencies: ["NotifyUnitCore", "NotifyUnitCompression", "CZlib"],
      path: "Tests/MailInvariants", swiftSettings: strictness),
    .testTarget(
      name: "NotifyUnitCoreTests", dependencies: ["NotifyUnitCore"], swiftSettings: strictness),
    // Property tests, the fuzz corpus and crash replay.
    .testTarget(
      name: "NotifyUnitPropertyTests",
      dependencies: [
        "NotifyUnitCore", "MailInvariants", "TestSupport",
        .product(name: "PropertyBased", package: "swift-property-based"),
      ],
      swiftSettings: strictness),
    // The pipeline called directly, with fake sources and channels.
    .testTarget(
      name: "NotifyUnitPipelineTests",
      dependencies: ["NotifyUnitPipeline", "NotifyUnitCore", "NotifyUnitSystem", "TestSupport"],
      swiftSettings: strictness),
    .testTarget(
      name: "NotifyUnitCompressionTests",
      dependencies: ["NotifyUnitCompression", "NotifyUnitCore", "TestSupport"],
      swiftSettings: strictness),
    .testTarget(
      name: "NotifyUnitSystemTests",
      dependencies: ["NotifyUnitSystem", "NotifyUnitCore", "TestSupport"],
      swiftSettings: strictness),
    // End to end: runs the built binary against real peers.
    .testTarget(
      name: "NotifyUnitCLITests",
      dependencies: ["notify-unit", "TestSupport"],
      swiftSettings: strictness),
  ],
  swiftLanguageModes: [.v6]
)

// The libFuzzer binary, only for scripts/fuzz (NOTIFY_UNIT_FUZZ=1, built
// into .build-fuzz): a plain `swift build` never sees it. The sanitizers
// (NOTIFY_UNIT_FUZZ_SANITIZERS, "fuzzer,address" unless set) instrument the
// code under test only: instrumented, the checker's byte loops took most of
// the mail target's time, and its branches would steer the fuzzer to
// inputs that are new to the checker, not to notify-unit.
if Context.environment["NOTIFY_UNIT_FUZZ"] == "1" {
  let sanitize = [
    "-sanitize=" + (Context.environment["NOTIFY_UNIT_FUZZ_SANITIZERS"] ?? "fuzzer,address")
  ]
  for target in package.targets
  where ["NotifyUnitCore", "NotifyUnitCompression"].contains(target.name) {
    target.swiftSettings = (target.swiftSettings ?? []) + [.unsafeFlags(sanitize)]
  }
  package.targets.append(
    .executableTarget(
      name: "FuzzNotifyUnit", dependencies: ["MailInvariants"], path: "Fuzz/Sources/FuzzNotifyUnit",
      swiftSettings: strictness, linkerSettings: [.unsafeFlags(sanitize)]))
}
