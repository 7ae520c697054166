import Foundation
import TestSupport

/// The Debian packages scripts/package builds into dist/, built once per
/// test run and shared by the package tests and the install test.
enum PackageBuild {
  /// dpkg-buildpackage and lintian: scripts/setup installs them, so only a
  /// machine set up otherwise lacks them (CI never does).
  static let toolsPresent = ["/usr/bin/dpkg-buildpackage", "/usr/bin/lintian", "/usr/bin/dh"]
    .allSatisfy { FileManager.default.isExecutableFile(atPath: $0) }

  struct Built: Sendable {
    var output: String
    var notifyUnit: String
    var restic: String
  }

  /// scripts/package's output and the two packages, or why it failed.
  static let built: Result<Built, TestFailure> = {
    do {
      let result = try Command.run(
        "/bin/bash", [Paths.packageRoot.appendingPathComponent("scripts/package").path],
        timeout: 3600)
      let output = result.stdoutText + result.stderr
      guard result.status == 0 else {
        return .failure(
          TestFailure("scripts/package exited \(result.status):\n\(output.suffix(4000))"))
      }
      let dist = Paths.packageRoot.appendingPathComponent("dist").path
      let debs = try FileManager.default.contentsOfDirectory(atPath: dist).filter {
        $0.hasSuffix(".deb")
      }
      guard let main = debs.first(where: { $0.hasPrefix("notify-unit_") }),
        let restic = debs.first(where: { $0.hasPrefix("notify-unit-restic_") })
      else { return .failure(TestFailure("dist/ holds \(debs)")) }
      return .success(
        Built(output: output, notifyUnit: dist + "/" + main, restic: dist + "/" + restic))
    } catch let error as TestFailure {
      return .failure(error)
    } catch {
      return .failure(TestFailure("\(error)"))
    }
  }()

  static func get() throws -> Built { try built.get() }
}
