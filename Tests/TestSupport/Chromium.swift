import Foundation

/// Debian's chromium, headless: renders a page at a phone's width and gives
/// back the DOM after its scripts ran (`--dump-dom`), so a test can read
/// what a measuring script wrote into it. scripts/setup installs it.
public enum Chromium {
  public static let path = "/usr/bin/chromium"

  /// The DOM of `html` rendered in a window `width` pixels wide.
  public static func dumpDOM(_ html: String, width: Int) throws -> String {
    guard FileManager.default.isExecutableFile(atPath: path) else {
      throw TestFailure("\(path) is missing: scripts/setup installs Debian's chromium")
    }
    let dir = try Paths.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let page = dir.appendingPathComponent("page.html")
    try Data(html.utf8).write(to: page)
    let result = try Command.run(
      path,
      [
        "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
        "--user-data-dir=\(dir.appendingPathComponent("profile").path)",
        "--window-size=\(width),800", "--dump-dom", page.absoluteString,
      ], timeout: 60)
    guard result.status == 0 else { throw TestFailure("chromium: \(result.stderr.suffix(2000))") }
    return result.stdoutText
  }
}
