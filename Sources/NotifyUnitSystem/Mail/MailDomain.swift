/// The domain a local recipient (`MAIL_TO=root`) is qualified with: the
/// first line of /etc/mailname, which Debian's exim (`qualify_domain`) and
/// postfix (`myorigin`) take as their own (Debian Policy 11.6), so the MTA
/// sees a domain it delivers locally; without one, the host's name, which
/// exim's `qualify_domain` defaults to.
public enum MailDomain {
  public static let mailnamePath = "/etc/mailname"

  public static var local: String { local(mailname: mailnamePath, host: Host.name) }

  public static func local(mailname: String, host: String) -> String {
    guard case .success(let text) = Host.readFile(mailname, maxBytes: 4096) else { return host }
    let name = text.firstLineTrimmed
    let isDomain =
      !name.isEmpty
      && name.utf8.allSatisfy { b in
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
          || b == 0x2D || b == 0x2E
      }
    return isDomain ? name : host
  }
}
