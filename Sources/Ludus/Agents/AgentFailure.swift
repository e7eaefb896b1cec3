/// Why an agent could not produce a legal move: the game is forfeited with this reason.
public struct AgentFailure: Error, Hashable, Sendable, CustomStringConvertible {
    public var agent: String
    public var reason: String
    public init(agent: String, reason: String) {
        self.agent = agent
        self.reason = reason
    }
    public var description: String { "\(agent): \(reason)" }
}
