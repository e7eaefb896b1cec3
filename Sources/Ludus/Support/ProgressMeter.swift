import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Progress of a long command, on standard error so standard output stays the command's
/// own: on a terminal one line redrawn in place (`label 120/600 [#####-----] 20%
/// 35.2 episodes/s ETA 0:14  note`); when standard error is not a terminal a plain line
/// every `interval` seconds (and none for a command quicker than that); nothing when quiet.
///
/// Use: `let progress = ProgressMeter(label: "tournament", total: n, unit: "games", quiet: quiet)`,
/// then `progress.update(done)` (cheap: it draws at most ten times a second),
/// `progress.print(line)` for a line of the command's own output (the bar is cleared and
/// redrawn under it), and `progress.finish()` at the end. Not thread-safe: call it from one thread.
public final class ProgressMeter {
    public enum Mode: Sendable, Equatable {
        /// Redrawn in place (a terminal).
        case bar
        /// A plain line every `interval` seconds (a pipe or a file).
        case lines
        /// Nothing (`--quiet`).
        case silent
    }

    public let label: String
    public private(set) var total: Int
    public let unit: String
    public let mode: Mode
    /// Seconds between plain lines in `.lines` mode.
    public var interval: TimeInterval = 10
    private let start = Date()
    private var lastDraw = Date.distantPast
    private var lastLine: Date
    private var done = 0
    private var note = ""
    private var drawn = false

    /// - Parameter mode: nil chooses `.bar` when standard error is a terminal, `.lines` otherwise
    ///   (`.silent` whenever `quiet`).
    public init(label: String, total: Int, unit: String = "episodes", quiet: Bool = false, mode: Mode? = nil) {
        self.label = label
        self.total = max(0, total)
        self.unit = unit
        self.mode = quiet ? .silent : mode ?? (isatty(STDERR_FILENO) != 0 ? .bar : .lines)
        lastLine = start
    }

    /// Units done per second so far.
    public var rate: Double { Double(done) / max(Date().timeIntervalSince(start), 1e-9) }

    /// Seconds left at the rate so far (nil before any progress or past the total).
    public var secondsLeft: Double? {
        guard done > 0, done < total else { return nil }
        return Double(total - done) / rate
    }

    /// Sets the units done (and optionally a short note: the current score, a teacher's state).
    public func update(_ done: Int, note: @autoclosure () -> String = "") {
        self.done = done
        switch mode {
        case .silent: return
        case .bar:
            let now = Date()
            guard now.timeIntervalSince(lastDraw) >= 0.1 || done >= total else { return }
            lastDraw = now
            self.note = note()
            draw()
        case .lines:
            let now = Date()
            guard now.timeIntervalSince(lastLine) >= interval else { return }
            lastLine = now
            self.note = note()
            write(line() + "\n")
        }
    }

    /// Sets the total when it is known only once the work starts (a resumed run's remaining games).
    public func setTotal(_ total: Int) { self.total = max(0, total) }

    /// Adds `count` units.
    public func advance(by count: Int = 1, note: @autoclosure () -> String = "") { update(done + count, note: note()) }

    /// Prints one line of the command's own output on standard output, keeping the bar below it.
    public func print(_ text: String) {
        if mode == .bar && drawn { write("\r\u{1B}[2K"); drawn = false }
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
        if mode == .bar && done > 0 { draw() }
    }

    /// Ends the bar (its last state stays on screen); a piped run gets a final line if it printed any.
    public func finish() {
        switch mode {
        case .bar where drawn:
            draw()
            write("\n")
            drawn = false
        case .lines where lastLine > start:
            write(line() + "\n")
        default: break
        }
    }

    /// `label 120/600 [#####-----]  20%  35.2 episodes/s  ETA 0:14  note`
    public func line(width: Int = 20) -> String {
        let fraction = total > 0 ? min(1, Double(done) / Double(total)) : 1
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        let eta = secondsLeft.map { " ETA " + Self.duration($0) } ?? (done >= total ? " done in " + Self.duration(Date().timeIntervalSince(start)) : "")
        let rateText = rate >= 100 ? String(format: "%.0f", rate) : String(format: "%.1f", rate)
        return "\(label) \(done)/\(total) [\(bar)] \(String(format: "%3.0f", 100 * fraction))% \(rateText) \(unit)/s\(eta)" + (note.isEmpty ? "" : "  " + note)
    }

    /// `0:07`, `12:30`, `1:02:03`.
    public static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "?" }
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }

    private func draw() {
        var text = line()
        let columns = Self.columns()
        if text.count > columns - 1 { text = String(text.prefix(max(10, columns - 1))) }
        write("\r\u{1B}[2K" + text)
        drawn = true
    }

    private func write(_ text: String) { FileHandle.standardError.write(Data(text.utf8)) }

    static func columns() -> Int {
        var size = winsize()
        if withUnsafeMutablePointer(to: &size, { ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), $0) }) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return 120
    }
}
