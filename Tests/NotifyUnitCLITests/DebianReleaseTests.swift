import TestSupport
import Testing

/// The booted suites' Debian 13 root file system comes from the host's own
/// apt sources (Debian 12 here), its suites renamed: no mirror is written
/// into the repository, and a wrong rename would build the wrong release.
struct DebianReleaseTests {
  typealias Release = SystemdContainer.Release

  @Test func deb822SuitesAreRenamedAndMirrorsKept() {
    let host = """
      Types: deb
      # a comment that says bookworm stays as it is
      URIs: http://mirror.invalid/debian
      Suites: bookworm bookworm-updates
      Components: main
      Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

      Types: deb
      URIs: http://mirror.invalid/debian-security
      Suites: bookworm-security
      Components: main
      """
    let trixie = Release.trixie.sources(from: host, hostRelease: "bookworm")
    #expect(trixie.contains("Suites: trixie trixie-updates\n"))
    #expect(trixie.contains("Suites: trixie-security\n"))
    #expect(trixie.contains("URIs: http://mirror.invalid/debian\n"))
    #expect(trixie.contains("URIs: http://mirror.invalid/debian-security\n"))
    #expect(trixie.contains("# a comment that says bookworm stays as it is\n"))
    #expect(
      !trixie.split(separator: "\n").contains { $0.hasPrefix("Suites:") && $0.contains("bookworm") }
    )
    #expect(trixie.split(separator: "\n").count == host.split(separator: "\n").count)
    // The host's own release: its sources as they are.
    #expect(Release.bookworm.sources(from: host, hostRelease: "bookworm") == host)
  }

  @Test func oneLineSourcesAreRenamedAfterTheirOptions() {
    let host = """
      deb http://mirror.invalid/debian bookworm main
      deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg arch=amd64] http://mirror.invalid/debian-security bookworm-security main
      deb-src http://mirror.invalid/debian bookworm-updates main contrib
      """
    let lines = Release.trixie.sources(from: host, hostRelease: "bookworm").split(separator: "\n")
    #expect(
      lines == [
        "deb http://mirror.invalid/debian trixie main",
        "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg arch=amd64] http://mirror.invalid/debian-security trixie-security main",
        "deb-src http://mirror.invalid/debian trixie-updates main contrib",
      ])
  }

  @Test func librariesRenamedByTheTime64TransitionAreMapped() {
    #expect(Release.trixie.package("libcurl4") == "libcurl4t64")
    #expect(Release.bookworm.package("libcurl4") == "libcurl4")
    #expect(Release.trixie.package("restic") == "restic")
  }
}
