import Testing

@testable import NotifyUnitCore

@Suite struct PingTargetCreateTests {
  let key = "abcdefgh12345678"

  @Test func createIsAskedOnlyForASlugCheck() throws {
    var slug = try PingTarget(check: "\(key)/db-backup", baseURL: "https://hc.example/ping")
    slug.create = true
    #expect(
      slug.url(path: "/start", rid: "r")
        == "https://hc.example/ping/\(key)/db-backup/start?create=1&rid=r")
    #expect(slug.url(path: "", rid: nil) == "https://hc.example/ping/\(key)/db-backup?create=1")
    #expect(!slug.redactedURL(path: "/1", rid: nil).contains(key))
    var uuid = try PingTarget(check: "0b6ee2a0-8c5b-4c34-9e7a-5a1f4c7a2b11")
    uuid.create = true
    #expect(!uuid.create && !uuid.url(path: "", rid: nil).contains("create"))
    var url = try PingTarget(check: "https://hc.example/ping/\(key)/db_backup-2")
    url.create = true
    #expect(url.url(path: "/fail", rid: nil).hasSuffix("/db_backup-2/fail?create=1"))
  }

  @Test(arguments: [
    ("Nightly Backup", "nightly-backup"), ("DB.backup", "db-backup"), ("ÄÖ!", ""),
    ("Daily  -  run", "daily-run"),
  ])
  func aBadSlugIsRefusedWithTheSlugItMeant(slug: String, suggestion: String) {
    do throws(ConfigurationError) {
      _ = try PingTarget(check: "\(key)/\(slug)")
      Issue.record("accepted \(slug)")
    } catch {
      let text = "\(error)"
      #expect(text.contains("may hold only lower-case letters, digits, - and _"))
      #expect(text.contains("did you mean") == !suggestion.isEmpty)
      if !suggestion.isEmpty { #expect(text.contains("\"\(suggestion)\"")) }
      #expect(!text.contains(key))
    }
  }
}
