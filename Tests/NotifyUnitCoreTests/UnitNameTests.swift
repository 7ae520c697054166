import NotifyUnitCore
import Testing

@Suite struct UnitNameTests {
  @Test(arguments: [
    "backup.service", "notify-failure@backup.service.service", "a/../b", "ünïcode ✅.service", "",
  ])
  func labelsAreSafeAndTurnBackIntoTheName(name: String) {
    let label = escapedUnitName(name)
    #expect(
      label.utf8.allSatisfy {
        $0 == 0x5F || (0x30...0x39).contains($0) || (0x41...0x5A).contains($0)
          || (0x61...0x7A).contains($0)
      })
    #expect(unescapedUnitName(label) == name)
  }

  @Test func aLabelThatIsNoEscapeStaysAsItIs() {
    #expect(unescapedUnitName("odd_zz") == "odd_zz")
    #expect(unescapedUnitName("end_") == "end_")
  }
}

@Suite struct UnitNameValidityTests {
  @Test(arguments: [
    "backup.service", "notify-failure@backup.service.service", "a:b_c-d.timer",
    "system-getty.slice", "dev-disk-by\\x2duuid-1.device",
  ])
  func systemdsUnitNamesAreAccepted(name: String) {
    #expect(unitNameProblem(name) == nil)
  }

  @Test func whatSystemdRefusesIsRefusedWithTheReason() throws {
    #expect(try #require(unitNameProblem("flush")).contains("no unit type"))
    #expect(try #require(unitNameProblem("backup.servic")).contains("no unit type"))
    #expect(try #require(unitNameProblem("")).contains("empty"))
    #expect(try #require(unitNameProblem(".service")).contains("not a unit name"))
    #expect(try #require(unitNameProblem("back up.service")).contains("not a unit name"))
    #expect(try #require(unitNameProblem("a\nBcc: x.service")).contains("not a unit name"))
    #expect(try #require(unitNameProblem("x@.service")).contains("template"))
    let long = String(repeating: "a", count: 250) + ".service"
    #expect(try #require(unitNameProblem(long)).contains("255"))
  }
}

@Suite struct DisplayTests {
  /// The fuzzer's finding: a unit name starting with U+0340 fused with the
  /// space of "⛔ " into one character. Shown on a dotted circle, it cannot.
  @Test func aLeadingCombiningMarkStandsOnADottedCircle() {
    let shown = "\u{0340}x.service".sanitizedForDisplay()
    #expect(shown == "\u{25CC}\u{0340}x.service")
    let subject = "⛔ " + shown
    #expect(subject.hasPrefix("⛔ ") && subject.contains(shown))
    // So does a leading zero-width joiner or skin-tone modifier (the http
    // fuzzer's finding: " " and U+200D are one character on screen).
    #expect("\u{200D}x".sanitizedForDisplay() == "\u{25CC}\u{200D}x")
    #expect("\u{1F3FD}x".sanitizedForDisplay() == "\u{25CC}\u{1F3FD}x")
    #expect(("HTTP 0 " + "\u{200D}!".sanitizedForDisplay()).hasPrefix("HTTP 0 "))
    // Anywhere else a mark combines as it should.
    #expect("e\u{0301}".sanitizedForDisplay() == "e\u{0301}")
  }

  /// The fuzzer's finding: 64 interlinear annotation marks, each shown as
  /// "<U+FFF9>", made a 512-character value of a 64-character bound. The
  /// bound is on what is shown, and a name is never cut in two.
  @Test func theBoundIsOnWhatIsShown() {
    let marks = String(repeating: "\u{FFF9}", count: 64)
    #expect(
      marks.sanitizedForDisplay(maxLength: 64) == String(repeating: "<U+FFF9>", count: 8) + "…")
    #expect(("abc" + marks).sanitizedForDisplay(maxLength: 12) == "abc<U+FFF9>…")
    #expect("abcdefgh".sanitizedForDisplay(maxLength: 8) == "abcdefgh")
    #expect("abcdefghi".sanitizedForDisplay(maxLength: 8) == "abcdefgh…")
  }
}
