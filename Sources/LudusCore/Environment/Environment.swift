
/// An environment instance: the contract every loop in Ludus drives.
///
/// Instances are single-threaded; make one per worker. Every requirement that
/// runs script code can throw ``EnvironmentError``: a broken or hostile script
/// ends the episode with a distinct error and the host carries on.
public protocol Environment: AnyObject {
    /// The declared facts (spaces, params, players...).
    var spec: EnvironmentSpec { get }

    /// Starts an episode with the given seed and resolved parameters (see
    /// ``ParameterSpace/resolve(_:environment:)``). The observation is then in ``observation``
    /// (and, with ``capturesDetail``, in ``lastObservation`` with the info in ``lastInfo``).
    func reset(seed: UInt64, params: [String: Value]) throws(EnvironmentError)

    /// Applies one action of the current player. The hot path: copies the observation
    /// into ``observation`` and allocates nothing for discrete actions.
    func step(_ action: Action) throws(EnvironmentError) -> Step

    /// The observation of the last reset or step, flattened in the layout of the observation space.
    var observation: ObservationView { get }

    /// When true, ``lastObservation`` and ``lastInfo`` hold full values after each reset and step (slower).
    var capturesDetail: Bool { get set }
    /// When true (the driver's choice), every step copies its observation into ``observation``;
    /// when false it may be copied on first read. Either way ``observation`` is right when read.
    var copiesObservation: Bool { get set }
    var lastObservation: Value { get }
    var lastInfo: Value { get }

    /// The player to move, 1-based; 0 once the episode is over. Single-agent tasks return 1.
    func currentPlayer() throws(EnvironmentError) -> Int

    /// Legal actions in ascending order, written into `actions` (reused to avoid allocation).
    /// Environments without `legal_actions` leave it empty: every action of the space is legal.
    func legalActions(into actions: inout [Int]) throws(EnvironmentError)

    /// The player to move and, unless that is 0 (episode over), the legal actions:
    /// what every game loop asks before each move, in one call where the environment can.
    func turn(legal actions: inout [Int]) throws(EnvironmentError) -> Int

    /// A terminal rendering (ANSI colours allowed), or nil when the script has no `render`.
    func render() throws(EnvironmentError) -> String?

    /// An independent copy whose future under the same actions is identical.
    func clone() throws(EnvironmentError) -> any Environment

    /// Where the environment's function `name` (`step`, `current_player`) is defined, for
    /// errors that name file:line; nil when unknown.
    func location(of function: String) -> SourceLocation?

    /// Calls an extra function of the script, `E.name(self, args...)` (solvers, verifiers, scorers).
    func call(_ name: String, _ arguments: [Value], results: Int) throws(EnvironmentError) -> [Value]

    // MARK: Hidden information and chance (defaults: perfect information, no explicit chance)

    /// What `player` (1-based) observes now (`E.observe(self, player)`), inside the observation
    /// space. Without `observe` every player sees the shared ``lastObservation``.
    func observation(of player: Int) throws(EnvironmentError) -> Value

    /// `player`'s information state (`E.information_state(self, player)`, OpenSpiel's
    /// `information_state_string`): equal strings, states the player cannot tell apart.
    func informationState(of player: Int) throws(EnvironmentError) -> String

    /// The outcomes of the current chance node (`E.chance_outcomes(self)`) when
    /// ``currentPlayer()`` is ``Chance/player``; empty for environments without explicit chance.
    func chanceOutcomes() throws(EnvironmentError) -> [ChanceOutcome]

    /// Reseeds `self.rng` (search clones must not foresee implicit randomness).
    func reseed(_ seed: UInt64) throws(EnvironmentError)

    /// Turns this instance (a clone) into a state consistent with what `player` has observed
    /// (`E.resample(self, player)`: the unseen cards re-dealt), after reseeding `self.rng` with `seed`.
    func resample(for player: Int, seed: UInt64) throws(EnvironmentError)
}

extension Environment {
    public func turn(legal actions: inout [Int]) throws(EnvironmentError) -> Int {
        let player = try currentPlayer()
        if player == 0 || player == Chance.player { actions.removeAll(keepingCapacity: true) } else { try legalActions(into: &actions) }
        return player
    }
}

extension Environment {
    public func observation(of player: Int) throws(EnvironmentError) -> Value { lastObservation }

    public func informationState(of player: Int) throws(EnvironmentError) -> String {
        throw .missingFunction("information_state", environment: spec.id, purpose: "search and solvers need each player's information state")
    }

    public func chanceOutcomes() throws(EnvironmentError) -> [ChanceOutcome] { [] }

    public func reseed(_ seed: UInt64) throws(EnvironmentError) {}

    public func resample(for player: Int, seed: UInt64) throws(EnvironmentError) { try reseed(seed) }
}
