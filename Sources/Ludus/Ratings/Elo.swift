/// Sequential Elo: E_A = 1 / (1 + 10^((R_B - R_A) / 400)); R_A += K (S_A - E_A).
/// Order-dependent, so Ludus applies games in their schedule order (never in
/// completion order) and ranks by Bradley-Terry; Elo is reported alongside.
public struct Elo: Sendable {
    public var k: Double
    public var initial: Double

    public init(k: Double = 32, initial: Double = 1000) {
        self.k = k
        self.initial = initial
    }

    public static func expected(_ rating: Double, against other: Double) -> Double {
        1 / (1 + pow10((other - rating) / 400))
    }

    public func ratings(players: Int, games: [PairwiseResult]) -> [Double] {
        var ratings = Array(repeating: initial, count: players)
        for game in games {
            let expected = Self.expected(ratings[game.first], against: ratings[game.second])
            ratings[game.first] += k * (game.score - expected)
            ratings[game.second] -= k * (game.score - expected)
        }
        return ratings
    }
}

@inline(__always) func pow10(_ x: Double) -> Double { exp(x * 2.302585092994046) }

#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
