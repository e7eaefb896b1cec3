import LudusLua

/// Uniformly random over the legal actions, or over the action space when the
/// environment declares no legal actions. The baseline of every benchmark.
public final class RandomAgent: Agent {
    public let name = "random"
    public var needsObservation: Bool { false }
    private let actionSpace: Space
    private var generator = SeededGenerator(seed: 0)

    public init(actionSpace: Space) { self.actionSpace = actionSpace }

    public func beginEpisode(seed: UInt64, player: Int) { generator = SeededGenerator(seed: seed) }

    public func act(in environment: any Environment, legalActions: [Int]) throws -> Action {
        if !legalActions.isEmpty {
            return .discrete(legalActions[Int(generator.nextInt(0, Int64(legalActions.count - 1)))])
        }
        return try actionSpace.sample(using: &generator)
    }

    /// ``act(in:legalActions:)`` when the environment lists legal actions (not empty): the
    /// same draw from the same stream, called by the driver without the protocol's existential
    /// environment, `throws` and answer check (a move picked from the list is legal).
    @inline(__always)
    public func pick(from legalActions: [Int]) -> Int {
        legalActions[Int(generator.nextInt(0, Int64(legalActions.count - 1)))]
    }

    /// The hot-path variant for discrete spaces without legal actions.
    @inline(__always)
    public func nextDiscrete(_ n: Int) -> Int { Int(generator.nextInt(0, Int64(n - 1))) }
}
