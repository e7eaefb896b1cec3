/// The result of one step, as agents and loops see it.
///
/// Rewards of up to eight players are stored inline, so a step of any bundled game
/// allocates nothing; larger games keep the rest in an array.
public struct Step: Hashable, Sendable {
    /// Reward of player 1 (the only player of single-agent tasks).
    public var reward: Double
    /// The task ended (success or failure): do not bootstrap past it.
    public var terminated: Bool
    /// The episode was cut (time limit): bootstrap past it.
    public var truncated: Bool
    @usableFromInline var playerCount: Int
    /// Number of players whose rewards the step holds.
    public var players: Int { playerCount }
    @usableFromInline var inline: Inline = Inline()
    @usableFromInline var overflow: [Double] = []

    /// Rewards of players 2...8.
    @usableFromInline struct Inline: Hashable, Sendable {
        @usableFromInline var r2 = 0.0, r3 = 0.0, r4 = 0.0, r5 = 0.0, r6 = 0.0, r7 = 0.0, r8 = 0.0
        @usableFromInline init() {}
    }

    @inlinable
    public init(reward: Double, terminated: Bool, truncated: Bool) {
        self.reward = reward
        self.terminated = terminated
        self.truncated = truncated
        playerCount = 1
    }

    /// A step of a game: `rewards` holds one reward per player (read, not kept).
    @inlinable
    public init(rewards: UnsafeBufferPointer<Double>, terminated: Bool, truncated: Bool) {
        self.init(reward: rewards.isEmpty ? 0 : rewards[0], terminated: terminated, truncated: truncated)
        playerCount = Swift.max(1, rewards.count)
        var player = 2
        while player <= rewards.count {
            set(rewards[player - 1], of: player)
            player += 1
        }
    }

    /// A step of a game from a list of rewards, one per player.
    public init(rewards: [Double], terminated: Bool, truncated: Bool) {
        self = rewards.withUnsafeBufferPointer { Step(rewards: $0, terminated: terminated, truncated: truncated) }
    }

    @inlinable
    mutating func set(_ value: Double, of player: Int) {
        switch player {
        case 1: reward = value
        case 2: inline.r2 = value
        case 3: inline.r3 = value
        case 4: inline.r4 = value
        case 5: inline.r5 = value
        case 6: inline.r6 = value
        case 7: inline.r7 = value
        case 8: inline.r8 = value
        default:
            while overflow.count < player - 8 { overflow.append(0) }
            overflow[player - 9] = value
        }
    }

    /// The reward of a player (1-based).
    @inlinable @inline(__always)
    public func reward(of player: Int) -> Double {
        switch player {
        case 1: return reward
        case 2: return inline.r2
        case 3: return inline.r3
        case 4: return inline.r4
        case 5: return inline.r5
        case 6: return inline.r6
        case 7: return inline.r7
        case 8: return inline.r8
        default: return overflow[player - 9]
        }
    }

    /// Reward of each player (allocates: prefer `reward(of:)` in loops).
    public var rewards: [Double] { (1...players).map(reward(of:)) }

    @inlinable public var isDone: Bool { terminated || truncated }
}
