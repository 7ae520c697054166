import Foundation
import TestSupport
import Testing

/// The spool's promise under concurrency and crashes, with notify-unit
/// processes (never threads) racing on one spool through a stand-in
/// sendmail that is slow and refuses 40 % of the time with 75
/// (Tests/Peers/spool_race.py). Each prints its figures; the README's
/// "The spool" section quotes them.
@Suite(.serialized) struct SpoolRaceTests {
  /// The figures the driver prints, and what it found wrong.
  func race(_ mode: String) throws -> [String: Any] {
    let run = try HostileRun(hugeLine: false)
    defer { run.cleanUp() }
    let dir = run.dir.appendingPathComponent(mode)
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    // Bounded generously: on a loaded two-core machine a run takes 20-40 s;
    // the bound only stops a hang.
    let result = try Command.run(
      Paths.python,
      [
        Paths.peers.appendingPathComponent("spool_race.py").path, mode, Paths.notifyUnit,
        run.path, run.invocation, "the very last line", dir.path,
      ], timeout: 600)
    #expect(result.status == 0, "\(result.stderr)")
    let figures = try #require(
      try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any], "\(result.stderr)")
    print("spool \(mode): \(figures)")
    return figures
  }

  @Test func twoHundredReportsOfFiftyUnitsRacingEightFlushesAreEachDeliveredOnce() throws {
    let figures = try race("stress")
    #expect((figures["violations"] as? [String]) == [])
    #expect(figures["reports"] as? Int == 200)
    #expect(figures["accepted"] as? Int == 200)
    #expect(figures["distinct_message_ids"] as? Int == 200)
    // The relay refused some: the spool and the flushes had work to do.
    #expect((figures["refusals"] as? Int ?? 0) > 20)
  }

  @Test func runsKilledAtRandomMomentsLoseNoSpooledReport() throws {
    let figures = try race("crash")
    #expect((figures["violations"] as? [String]) == [])
    #expect(figures["runs"] as? Int == 300)
    // Enough kills, and enough reports that got as far as the spool, for
    // the test to mean something. How many of the 300 random moments fall
    // inside a run depends on the machine's speed: 199 on a loaded machine,
    // 95 on an idle one.
    #expect((figures["kills"] as? Int ?? 0) >= 50)
    #expect((figures["reached_spool"] as? Int ?? 0) >= 20)
    #expect(
      figures["duplicates"] as? Int == figures["duplicates_killed_after_accept"] as? Int)
  }
}
