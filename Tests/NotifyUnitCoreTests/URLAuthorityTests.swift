import NotifyUnitCore
import Testing

/// RFC 3986's authority: it ends at the first "/", "?" or "#"; the
/// userinfo at its last "@"; a port is digits.
@Suite struct URLAuthorityTests {
  @Test func splitsAsRFC3986Says() throws {
    let a = try URLAuthority(parsing: "https://us@er:p@ss@host.example:8443/ping/x?q#f")
    #expect(a.userinfo == "us@er:p@ss")
    #expect(a.hostAndPort == "host.example:8443" && a.host == "host.example")
    #expect(a.rest == "/ping/x?q#f")
    #expect(a.secrets == ["us@er:p@ss", "p@ss"])
    #expect(a.shownRoot == "https://host.example:8443")
    // An "@" after the authority is the path's.
    let path = try URLAuthority(parsing: "http://127.0.0.1/a@b")
    #expect(path.userinfo == nil && path.rest == "/a@b")
    let v6 = try URLAuthority(parsing: "http://u:p@[::1]:25")
    #expect(v6.host == "::1" && v6.isLoopback && v6.secrets == ["u:p", "p"])
  }

  @Test func aPortThatIsNotDigitsIsRefused() {
    for url in [
      "http://user:Pa/ss@host", "https://user:p?ss@host/x", "https://user:p#ss@h",
      "http://host:99999999/", "http://[::1]x/",
    ] {
      #expect(throws: URLAuthority.Problem.badPort, "\(url)") { try URLAuthority(parsing: url) }
    }
    #expect(throws: URLAuthority.Problem.noHost) { try URLAuthority(parsing: "http://u@/x") }
    #expect(throws: URLAuthority.Problem.noHost) { try URLAuthority(parsing: "http://:80/x") }
    #expect(throws: URLAuthority.Problem.noScheme) { try URLAuthority(parsing: "host/x") }
  }

  @Test func onlyThisMachineMayBeSpokenToInClear() throws {
    for (url, refused) in [
      ("http://127.0.0.1:8000/ping", false), ("http://127.1.2.3/", false),
      ("http://localhost/", false), ("http://hc.localhost/", false), ("http://[::1]/", false),
      ("https://hc.example.org/", false), ("http://hc.example.org/", true),
      ("http://127.0.0.1.evil.example/", true), ("http://192.0.2.2/", true),
      ("HTTP://hc.example.org/", true), ("http://[2001:db8::1]/", true),
    ] {
      let a = try URLAuthority(parsing: url)
      #expect((a.cleartextRefusal != nil) == refused, "\(url)")
    }
  }
}
