import Foundation

/// Why a shard cannot be chosen.
public enum ShardError: Error, Hashable, Sendable, CustomStringConvertible {
    /// `--shard` not of the form `K/N`, `auto` or `auto/N`.
    case malformed(String)
    /// `--games-range` not of the form `A..B`.
    case malformedRange(String)
    /// K outside 0..<N (shards are numbered from 0, as Slurm array and Kubernetes indices are).
    case outOfRange(index: Int, count: Int)
    /// `--shard auto` with none of the variables set.
    case noSchedulerVariables
    /// An index variable is set but no shard count can be found.
    case missingCount(indexVariable: String)
    /// A variable that is not a number, or out of range.
    case badVariable(name: String, value: String)
    /// A Slurm array with a step (`--array=0-30:2`) does not number its tasks 0..<N.
    case steppedArray(step: String)
    /// Swiss rounds are paired from the rounds before: they are split one round at a time (`--round`).
    case swiss

    public var description: String {
        switch self {
        case .malformed(let text):
            return "--shard must be K/N (0 <= K < N), auto or auto/N, not \"\(text)\""
        case .malformedRange(let text):
            return "--games-range must be A..B (games A to B-1, 0-based), not \"\(text)\""
        case .outOfRange(let index, let count):
            return "shard \(index)/\(count) does not exist: shards are numbered from 0, so K goes from 0 to \(count - 1)"
        case .noSchedulerVariables:
            return "--shard auto found neither SLURM_ARRAY_TASK_ID (a Slurm job array) nor JOB_COMPLETION_INDEX (a Kubernetes Indexed Job); give --shard K/N instead"
        case .missingCount(let variable):
            return "--shard auto: \(variable) is set but not the number of shards; set \(Shard.countVariable) (or SLURM_ARRAY_TASK_COUNT) or give --shard auto/N"
        case .badVariable(let name, let value):
            return "--shard auto: \(name)=\"\(value)\" is not a usable number"
        case .steppedArray(let step):
            return "--shard auto: the Slurm array has step \(step); use a contiguous array (--array=0-N) so that tasks are numbered 0..N-1"
        case .swiss:
            return "a Swiss round is paired from the results of the rounds before it, so --shard and --games-range split one round at a time: add --round R (and --from the merged database of rounds 0 to R-1), a barrier per round (docs/scale-out.md)"
        }
    }
}

/// Shard K of N of an indexed schedule (games of a tournament, items of a dataset): the
/// contiguous indices `K*total/N ..< (K+1)*total/N`. The shards of one N cover every index
/// exactly once, in order, so their results merged (or concatenated) are the serial run's.
public struct Shard: Hashable, Sendable, CustomStringConvertible {
    public var index: Int
    public var count: Int

    /// The variable giving the number of shards where the scheduler gives only an index (Kubernetes).
    public static let countVariable = "LUDUS_SHARD_COUNT"

    public init(index: Int, count: Int) throws(ShardError) {
        guard count >= 1, (0..<count).contains(index) else { throw .outOfRange(index: index, count: count) }
        self.index = index
        self.count = count
    }

    public var description: String { "\(index)/\(count)" }

    /// This shard's indices out of `total`.
    public func range(of total: Int) -> Range<Int> {
        // In double width: index * total may not fit in an Int (a dataset of 10^12 items).
        func bound(_ k: Int) -> Int { count.dividingFullWidth(k.multipliedFullWidth(by: max(0, total))).quotient }
        return bound(index)..<bound(index + 1)
    }

    /// This shard's part of the indices `slots` (one Swiss round's games).
    public func range(in slots: Range<Int>) -> Range<Int> {
        let part = range(of: slots.count)
        return slots.lowerBound + part.lowerBound..<slots.lowerBound + part.upperBound
    }

    /// Parses `K/N`, or `auto` / `auto/N` reading the scheduler's variables from `environment`:
    /// a Slurm job array (`SLURM_ARRAY_TASK_ID` less `SLURM_ARRAY_TASK_MIN`, of
    /// `SLURM_ARRAY_TASK_COUNT`) or a Kubernetes Indexed Job (`JOB_COMPLETION_INDEX`, of
    /// `LUDUS_SHARD_COUNT` or the N of `auto/N`).
    public static func parse(_ text: String, environment: [String: String]) throws(ShardError) -> Shard {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count <= 2, let head = parts.first else { throw .malformed(text) }
        var given: Int?
        if parts.count == 2 {
            guard let count = Int(parts[1]), count >= 1 else { throw .malformed(text) }
            given = count
        }
        if head != "auto" {
            guard let index = Int(head), let count = given else { throw .malformed(text) }
            return try Shard(index: index, count: count)
        }
        func number(_ name: String) throws(ShardError) -> Int? {
            guard let value = environment[name] else { return nil }
            guard let number = Int(value.trimmingCharacters(in: .whitespaces)), number >= 0 else { throw .badVariable(name: name, value: value) }
            return number
        }
        if let task = try number("SLURM_ARRAY_TASK_ID") {
            if let step = environment["SLURM_ARRAY_TASK_STEP"], step != "1" { throw .steppedArray(step: step) }
            let first = try number("SLURM_ARRAY_TASK_MIN") ?? 0
            let slurmCount = try number("SLURM_ARRAY_TASK_COUNT"), ludusCount = try number(countVariable)
            guard let count = given ?? slurmCount ?? ludusCount else {
                throw .missingCount(indexVariable: "SLURM_ARRAY_TASK_ID")
            }
            return try Shard(index: task - first, count: count)
        }
        if let index = try number("JOB_COMPLETION_INDEX") {
            let ludusCount = try number(countVariable)
            guard let count = given ?? ludusCount else { throw .missingCount(indexVariable: "JOB_COMPLETION_INDEX") }
            return try Shard(index: index, count: count)
        }
        throw .noSchedulerVariables
    }

    /// Parses `--games-range A..B`: games A to B-1.
    public static func parseRange(_ text: String) throws(ShardError) -> Range<Int> {
        let bounds = text.replacingOccurrences(of: "..<", with: "..").components(separatedBy: "..")
        guard bounds.count == 2, let low = Int(bounds[0]), let high = Int(bounds[1]), low >= 0, low <= high else {
            throw .malformedRange(text)
        }
        return low..<high
    }
}

/// The games (or items) one process plays: a shard K/N or an explicit range.
public enum ShardSelection: Hashable, Sendable, CustomStringConvertible {
    case shard(Shard)
    case range(Range<Int>)

    /// The indices selected out of `total` (a range is clamped to the schedule).
    public func range(of total: Int) -> Range<Int> {
        switch self {
        case .shard(let shard): return shard.range(of: total)
        case .range(let range): return range.clamped(to: 0..<max(0, total))
        }
    }

    public var shard: Shard? {
        if case .shard(let shard) = self { return shard }
        return nil
    }

    public var description: String {
        switch self {
        case .shard(let shard): return "shard \(shard)"
        case .range(let range): return "games \(range.lowerBound)..<\(range.upperBound)"
        }
    }
}
