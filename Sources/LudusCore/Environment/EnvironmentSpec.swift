
/// What an environment declares about itself: the facts of `E`, read once at load.
public struct EnvironmentSpec: Hashable, Sendable {
    public var id: String
    public var description: String
    public var version: String
    public var observationSpace: Space
    public var actionSpace: Space
    public var parameters: ParameterSpace
    /// Parameters fixed at load (`E.game_params`, the syntax of `params`), given with the name
    /// as in OpenSpiel: `kuhn_poker(players=3)`. The script reads them as its chunk argument.
    public var gameParameters: ParameterSpace
    /// The game parameters this instance was loaded with, defaults filled in.
    public var gameParams: [String: Value] = [:]
    /// The name it was loaded by: ``id``, followed by the given game parameters if any.
    public var name: String
    /// Number of players (1 for single-agent tasks).
    public var players: Int
    /// A name per player (`{"generator", "critic"}`), or `player1`, `player2`...
    public var roles: [String]
    /// Bounds of an episode's return, used to normalise returns for teachers.
    public var rewardRange: ClosedRange<Double>?
    /// Whether every return lies inside ``rewardRange`` (`E.returns_within_reward_range`,
    /// default true). False when the range only normalises, as Stump Tracks' {-150, 350}:
    /// the checker then does not hold returns to it.
    public var returnsWithinRewardRange = true
    /// Whether instances can be cloned (`E.clonable`, default true). False when the state
    /// lives outside the Lua table (a `physics2d` world): the checker skips the clone check
    /// and search agents must not clone.
    public var clonable = true
    /// A return at or above this counts as success (mastered).
    public var successThreshold: Double?
    /// The episode length the environment guarantees (terminated or truncated by then).
    public var maxSteps: Int?
    /// Optional functions the script defines (`legal_actions`, `render`, `clone`, `score`, ...).
    public var functions: Set<String>
    /// Where the script was loaded from.
    public var path: String
    /// Every other value `E` declares (`error_types`, `action_names`...), for loops that need
    /// a fact of their own: read here, never from the script.
    public var facts: [String: Value]
    /// Names of discrete actions when the script declares `E.action_names = {"left", ...}`.
    public var actionNames: [String] { facts["action_names"]?.arrayValue?.compactMap(\.stringValue) ?? [] }

    /// Reads the facts of a loaded `E`.
    /// - Throws: ``SpecError`` naming the first fact that is missing or malformed.
    public init(definition e: Value, path: String, location: SourceLocation?) throws(SpecError) {
        func fail(_ message: String) -> SpecError { SpecError(message, at: location) }
        guard let id = e["id"].stringValue, !id.isEmpty else { throw fail("E.id must be a non-empty string, like \"gridworld/empty\"") }
        guard id.allSatisfy({ $0.isLetter || $0.isNumber || "_-/.".contains($0) }) else {
            throw fail("E.id '\(id)' may hold only letters, digits and _ - / .")
        }
        self.id = id
        name = id
        self.path = path
        description = e["description"].stringValue ?? ""
        if description.isEmpty { throw fail("E.description must be a string saying what the task is") }
        version = e["version"].stringValue ?? e["version"].intValue.map(String.init) ?? ""
        if version.isEmpty { throw fail("E.version must be a string like \"1.0.0\"") }
        do {
            observationSpace = try Space(lua: e["observation_space"], path: "E.observation_space")
            actionSpace = try Space(lua: e["action_space"], path: "E.action_space")
            parameters = try ParameterSpace(lua: e["params"])
            gameParameters = try ParameterSpace(lua: e["game_params"])
        } catch {
            throw SpecError(error.message, at: location)
        }
        let players = e["players"].isNil ? 1 : (e["players"].intValue ?? 0)
        guard players >= 1, players <= SpecLimits.maxPlayers else { throw fail("E.players must be an integer in 1...\(SpecLimits.maxPlayers)") }
        self.players = players
        if let names = e["roles"].arrayValue {
            let roles = names.compactMap(\.stringValue)
            guard roles.count == players, names.count == players else {
                throw fail("E.roles must name each of the \(players) player(s), got \(names.count)")
            }
            self.roles = roles
        } else {
            roles = players == 1 ? ["agent"] : (1...players).map { "player\($0)" }
        }
        if !e["reward_range"].isNil {
            guard let bounds = e["reward_range"].arrayValue?.compactMap(\.doubleValue), bounds.count == 2,
                bounds[0] < bounds[1]
            else { throw fail("E.reward_range must be {low, high} with low < high") }
            rewardRange = bounds[0]...bounds[1]
        }
        if !e["returns_within_reward_range"].isNil {
            guard let strict = e["returns_within_reward_range"].boolValue else { throw fail("E.returns_within_reward_range must be a boolean") }
            returnsWithinRewardRange = strict
        }
        if !e["clonable"].isNil {
            guard let clonable = e["clonable"].boolValue else { throw fail("E.clonable must be a boolean") }
            self.clonable = clonable
        }
        if !e["success_threshold"].isNil {
            guard let threshold = e["success_threshold"].doubleValue else { throw fail("E.success_threshold must be a number") }
            successThreshold = threshold
        }
        if !e["max_steps"].isNil {
            guard let steps = e["max_steps"].intValue, steps > 0 else { throw fail("E.max_steps must be a positive integer") }
            maxSteps = steps
        }
        if players > 1 {
            guard case .opaque("function") = e["current_player"], case .opaque("function") = e["legal_actions"] else {
                throw fail("a \(players)-player environment must define E.current_player and E.legal_actions")
            }
        }
        var functions: Set<String> = []
        var facts: [String: Value] = [:]
        if case .table(let fields) = e {
            for (name, value) in fields {
                if value == .opaque("function") { functions.insert(name) } else { facts[name] = value }
            }
        }
        self.functions = functions
        self.facts = facts
    }

    public var hasLegalActions: Bool { functions.contains("legal_actions") }

    /// Whether players see different things (`E.observe(self, player)`): agents then get only
    /// their own seat's observation, and search needs `E.resample`.
    public var hasPrivateObservations: Bool { functions.contains("observe") }
    /// Whether chance is explicit (`E.chance_outcomes`): `current_player` may return ``Chance/player``.
    public var hasExplicitChance: Bool { functions.contains("chance_outcomes") }
    /// Whether a clone can be re-dealt consistently with one player's view (`E.resample`).
    public var canResample: Bool { functions.contains("resample") }
    /// Whether each player's information state can be read (`E.information_state`).
    public var hasInformationStates: Bool { functions.contains("information_state") }
}
