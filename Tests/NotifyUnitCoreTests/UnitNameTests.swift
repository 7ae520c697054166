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
