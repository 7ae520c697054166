import Foundation
import NotifyUnitSystem
import TestSupport
import Testing

/// The domain a local recipient gets: the MTA's own, from /etc/mailname.
@Suite struct MailDomainTests {
  @Test func mailnameWinsOverTheHostNameUnlessItNamesNoDomain() throws {
    let dir = try Paths.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let mailname = dir.appendingPathComponent("mailname").path
    #expect(MailDomain.local(mailname: mailname, host: "nas") == "nas")
    for (content, expected) in [
      ("mail.example.org\n", "mail.example.org"), ("  box.lan  \nsecond\n", "box.lan"),
      ("", "nas"), ("not a domain\n", "nas"), ("a@b\n", "nas"),
    ] {
      try content.write(toFile: mailname, atomically: true, encoding: .utf8)
      #expect(MailDomain.local(mailname: mailname, host: "nas") == expected, "\(content)")
    }
  }
}
