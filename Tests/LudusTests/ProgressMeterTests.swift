import Foundation
import Ludus
import Testing

@Suite struct ProgressMeterTests {
    @Test func lineShowsCountBarPercentRateAndETA() {
        let progress = ProgressMeter(label: "teach", total: 10, unit: "episodes", mode: .silent)
        progress.update(3)
        let line = progress.line(width: 10)
        #expect(line.hasPrefix("teach 3/10 [###-------]  30% "), "\(line)")
        #expect(line.contains(" episodes/s ETA "), "\(line)")
        progress.update(10)
        #expect(progress.line(width: 10).contains("[##########] 100%") && progress.line().contains("done in "))
        #expect(progress.secondsLeft == nil)
    }

    @Test func quietIsSilentWhateverTheMode() {
        #expect(ProgressMeter(label: "x", total: 1, quiet: true, mode: .bar).mode == .silent)
        #expect(ProgressMeter(label: "x", total: 1, mode: .lines).mode == .lines)
    }

    @Test func durations() {
        #expect(ProgressMeter.duration(7) == "0:07")
        #expect(ProgressMeter.duration(750) == "12:30")
        #expect(ProgressMeter.duration(3723) == "1:02:03")
        #expect(ProgressMeter.duration(.infinity) == "?")
    }
}
