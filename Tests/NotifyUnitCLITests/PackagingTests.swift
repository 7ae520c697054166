import Foundation
import TestSupport
import Testing

/// scripts/package's two Debian packages, as files: what they hold, what
/// they depend on, that lintian finds no error, that the man pages render
/// and the completions complete. (PackageInstallTests installs them.)
@Suite(
  .enabled(
    if: PackageBuild.toolsPresent,
    "dpkg-buildpackage, debhelper or lintian missing: run scripts/setup"))
struct PackagingTests {
  func contents(_ deb: String) throws -> [String] {
    let list = try Command.run("/usr/bin/dpkg-deb", ["-c", deb])
    // "-rwxr-xr-x root/root 123 2026-11-30 08:00 ./usr/bin/notify-unit"
    return list.stdoutText.split(separator: "\n").compactMap { line in
      line.split(separator: " ", omittingEmptySubsequences: true).last.map {
        String($0.dropFirst())
      }
    }
  }

  func field(_ deb: String, _ name: String) throws -> String {
    try Command.run("/usr/bin/dpkg-deb", ["-f", deb, name]).stdoutText.trimmingCharacters(
      in: .whitespacesAndNewlines)
  }

  func control(_ deb: String, _ file: String) throws -> String {
    try Command.run("/usr/bin/dpkg-deb", ["--info", deb, file]).stdoutText
  }

  /// The package's files, unpacked into a temporary directory.
  func unpacked(_ deb: String) throws -> URL {
    let dir = try Paths.temporaryDirectory()
    let result = try Command.run("/usr/bin/dpkg-deb", ["-x", deb, dir.path])
    #expect(result.status == 0, "\(result.stderr)")
    return dir
  }

  @Test func notifyUnitPackage() throws {
    let built = try PackageBuild.get()
    let files = try contents(built.notifyUnit)
    for path in [
      "/usr/bin/notify-unit", "/etc/notify-unit.conf",
      "/lib/systemd/system/notify-failure@.service",
      "/lib/systemd/system/notify-unit-flush@.service",
      "/lib/systemd/system/notify-unit-flush@.timer",
      "/lib/systemd/system/notify-unit-boot.service",
      "/usr/lib/sysusers.d/notify-unit.conf", "/usr/lib/tmpfiles.d/notify-unit.conf",
      "/usr/share/man/man1/notify-unit.1.gz", "/usr/share/man/man5/notify-unit.conf.5.gz",
      "/usr/share/bash-completion/completions/notify-unit",
      "/usr/share/zsh/vendor-completions/_notify-unit",
      "/usr/share/fish/vendor_completions.d/notify-unit.fish",
      "/usr/share/doc/notify-unit/examples/notify-unit-stop-post.conf",
    ] {
      #expect(files.contains(path), "\(path) missing")
    }
    // The backup setup is the other package's.
    #expect(!files.contains { $0.contains("backup") || $0.contains("/etc/restic") })
    #expect(
      try control(built.notifyUnit, "conffiles").split(separator: "\n") == ["/etc/notify-unit.conf"]
    )

    let depends = try field(built.notifyUnit, "Depends")
    for dependency in ["libcurl4", "libc6", "libsystemd0"] {
      #expect(depends.contains(dependency), "\(depends)")
    }
    // No Swift runtime package: the standard library is linked in.
    #expect(!depends.contains("swift"))
    #expect(try field(built.notifyUnit, "Recommends") == "default-mta | mail-transport-agent")
    // sysusers needs systemd-sysusers (or a stand-in): debhelper adds it.
    #expect(depends.contains("systemd-sysusers"))

    let root = try unpacked(built.notifyUnit)
    defer { try? FileManager.default.removeItem(at: root) }
    try binaryIsStrippedStaticAndBoundNow(root.path + "/usr/bin/notify-unit")
    // The units run the packaged binary; none names /usr/local.
    for unit in ["notify-failure@.service", "notify-unit-flush@.service"] {
      let text = try String(
        contentsOfFile: root.path + "/lib/systemd/system/" + unit, encoding: .utf8)
      #expect(text.contains("/usr/bin/notify-unit "), "\(unit)")
      #expect(!text.contains("/usr/local"), "\(unit)")
    }
    let conf = try String(contentsOfFile: root.path + "/etc/notify-unit.conf", encoding: .utf8)
    #expect(conf.split(separator: "\n").contains("SMTP_URL=smtp://127.0.0.1"))
    let tmpfiles = try String(
      contentsOfFile: root.path + "/usr/lib/tmpfiles.d/notify-unit.conf", encoding: .utf8)
    #expect(tmpfiles.contains("d /var/lib/notify-unit 0755 root root -"))
    try manPagesRenderWithoutWarnings(root)
    try completionsOfferValues(root)
  }

  @Test func resticPackage() throws {
    let built = try PackageBuild.get()
    let files = try contents(built.restic)
    for path in [
      "/lib/systemd/system/backup.service", "/lib/systemd/system/backup.timer",
      "/lib/systemd/system/prune.service", "/lib/systemd/system/prune.timer",
      "/usr/lib/notify-unit/restic-backup", "/usr/lib/notify-unit/restic-prune",
      "/usr/lib/notify-unit/restic-job.sh", "/etc/restic/restic.env", "/etc/restic/includes",
      "/etc/restic/excludes", "/usr/lib/sysusers.d/notify-unit-restic.conf",
      "/usr/lib/tmpfiles.d/notify-unit-restic.conf",
    ] {
      #expect(files.contains(path), "\(path) missing")
    }
    #expect(!files.contains("/usr/bin/notify-unit"))
    #expect(
      try control(built.restic, "conffiles").split(separator: "\n").sorted() == [
        "/etc/restic/excludes", "/etc/restic/includes", "/etc/restic/restic.env",
      ])
    let depends = try field(built.restic, "Depends")
    #expect(depends.contains("notify-unit (>= ") && depends.contains("restic"), "\(depends)")
    // Installing starts no unit (PackageInstallTests sees none enabled).
    let postinst = try control(built.restic, "postinst")
    #expect(!postinst.contains("deb-systemd-invoke"), "\(postinst)")

    let root = try unpacked(built.restic)
    defer { try? FileManager.default.removeItem(at: root) }
    for file in ["lib/systemd/system/backup.service", "usr/lib/notify-unit/restic-backup"] {
      let text = try String(contentsOfFile: root.path + "/" + file, encoding: .utf8)
      #expect(!text.contains("/usr/local"), "\(file)")
    }
  }

  @Test func lintianFindsNoError() throws {
    let built = try PackageBuild.get()
    // scripts/package ran lintian and would have failed on an error.
    let lines = built.output.split(separator: "\n")
    #expect(!lines.contains { $0.hasPrefix("E: ") }, "\(built.output.suffix(3000))")
    #expect(built.output.contains("stripped"))
  }

  /// Stripped, the Swift standard library inside (not a NEEDED library: the
  /// manual plugin's dynamic relink must not leak in), BIND_NOW, at most 16 MiB.
  func binaryIsStrippedStaticAndBoundNow(_ path: String) throws {
    let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0
    #expect(size > 0 && size <= 16 << 20, "\(size) bytes")
    let sections = try Command.run("/usr/bin/readelf", ["-S", "-W", path]).stdoutText
    #expect(!sections.contains(".symtab") && !sections.contains(".debug_info"))
    let dynamic = try Command.run("/usr/bin/readelf", ["-d", "-W", path]).stdoutText
    #expect(!dynamic.contains("libswift"), "\(dynamic)")
    #expect(dynamic.contains("BIND_NOW"), "\(dynamic)")
  }

  /// Both pages render with man and groff's warnings on, without one.
  func manPagesRenderWithoutWarnings(_ root: URL) throws {
    for page in ["man1/notify-unit.1.gz", "man5/notify-unit.conf.5.gz"] {
      let path = root.path + "/usr/share/man/" + page
      let result = try Command.run(
        "/usr/bin/man", ["--warnings", "-l", path], environment: ["MANWIDTH": "80", "LC_ALL": "C"])
      #expect(result.status == 0, "\(page)")
      #expect(result.stderr.isEmpty, "\(page): \(result.stderr)")
      #expect(!result.stdout.isEmpty, "\(page)")
    }
    let conf = try Command.run(
      "/usr/bin/man", ["-l", root.path + "/usr/share/man/man5/notify-unit.conf.5.gz"],
      environment: ["MANWIDTH": "80", "LC_ALL": "C"]
    ).stdoutText
    #expect(conf.contains("SPOOL_MAX_AGE") && conf.contains("--mail-to"))
    let command = try Command.run(
      "/usr/bin/man", ["-l", root.path + "/usr/share/man/man1/notify-unit.1.gz"],
      environment: ["MANWIDTH": "80", "LC_ALL": "C"]
    ).stdoutText
    for subcommand in ["start", "flush", "resend"] { #expect(command.contains(subcommand)) }
  }

  /// `notify-unit report --mail-on <TAB>` offers the three values, as bash
  /// runs the packaged script; UNIT asks systemd. (ArgumentParser completes
  /// the default subcommand's options only after its name.)
  func completionsOfferValues(_ root: URL) throws {
    let script = root.path + "/usr/share/bash-completion/completions/notify-unit"
    let complete = """
      source "$1"
      COMP_WORDS=(notify-unit report --mail-on "$2"); COMP_CWORD=3
      COMP_LINE="notify-unit report --mail-on $2"; COMP_POINT=${#COMP_LINE}
      _notify-unit notify-unit "$2" --mail-on
      printf '%s\\n' "${COMPREPLY[@]}"
      """
    let all = try Command.run("/bin/bash", ["-c", complete, "bash", script, ""])
    #expect(all.status == 0, "\(all.stderr)")
    #expect(all.stdoutText.split(separator: "\n") == ["always", "failure", "change"])
    let prefixed = try Command.run("/bin/bash", ["-c", complete, "bash", script, "f"])
    #expect(prefixed.stdoutText.split(separator: "\n") == ["failure"])
    let bash = try String(contentsOfFile: script, encoding: .utf8)
    #expect(bash.contains("systemctl list-units"))
    for other in [
      "/usr/share/fish/vendor_completions.d/notify-unit.fish",
      "/usr/share/zsh/vendor-completions/_notify-unit",
    ] {
      let text = try String(contentsOfFile: root.path + other, encoding: .utf8)
      #expect(text.contains("failure") && text.contains("systemctl list-units"), "\(other)")
    }
  }
}
