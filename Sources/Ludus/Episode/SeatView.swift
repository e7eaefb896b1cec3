import LudusLua

/// One seat's view of an environment whose players see different things
/// (`E.observe`): what the ``EpisodeDriver`` hands an agent instead of the environment.
///
/// Through a view an agent reads only its own seat's observation and information state,
/// never `info`, `render` or another seat's view; it cannot step, reset or reseed the
/// game; and ``clone()`` never copies the true state: it returns a *determinization*, a
/// clone re-dealt by `E.resample(self, seat)` (unseen cards redrawn) with a freshly seeded
/// `self.rng`, so search cannot foresee hidden cards or future chance.
public final class SeatView: Environment {
    private let base: any Environment
    public let spec: EnvironmentSpec
    /// The seat (1-based) this view shows.
    public let seat: Int
    private let layout: ObservationLayout
    private let bounds: ObservationBounds
    private let numbers: UnsafeMutableBufferPointer<Double>
    private var texts: [String] = []
    private var value: Value = .nil
    private var searchSeeds = SeededGenerator(seed: 0)
    private var scratch: [Double] = []

    public init(of base: any Environment, seat: Int) {
        self.base = base
        spec = base.spec
        self.seat = seat
        layout = spec.observationSpace.layout
        bounds = ObservationBounds(spec.observationSpace)
        numbers = .allocate(capacity: max(1, layout.numberCount))
        numbers.initialize(repeating: 0)
    }

    deinit { numbers.deallocate() }

    /// Starts an episode: determinizations are seeded from `seed` (the seat's search stream).
    public func begin(seed: UInt64) {
        searchSeeds = SeededGenerator(seed: SeedStreams(root: seed).seed(.search, UInt64(seat)))
    }

    /// Reads the seat's observation (`E.observe(self, seat)`) and checks it against the
    /// observation space; the driver calls it before the seat acts.
    public func refresh() throws(EnvironmentError) {
        let observed = try base.observation(of: seat)
        scratch.removeAll(keepingCapacity: true)
        texts.removeAll(keepingCapacity: true)
        var problem = layout.flatten(observed, numbers: &scratch, texts: &texts)
        if problem == nil {
            for (i, x) in scratch.enumerated() { numbers[i] = x }
            let view = observation
            if !bounds.contains(view) { problem = bounds.problem(with: view) }
        }
        if let problem {
            throw .contract(ContractViolation(function: "observe", message: "returned an observation for player \(seat) outside \(spec.observationSpace): \(problem)",
                                              location: base.location(of: "observe"), file: spec.path))
        }
        value = observed
    }

    private func refused(_ what: String) -> EnvironmentError {
        .contract(ContractViolation(function: what, message: "is not available to an agent: player \(seat) sees only its own view of \(spec.id)",
                                    location: nil, file: spec.path))
    }

    public func reset(seed: UInt64, params: [String: Value]) throws(EnvironmentError) { throw refused("reset") }
    public func step(_ action: Action) throws(EnvironmentError) -> Step { throw refused("step") }

    public var observation: ObservationView {
        ObservationView(numbers: UnsafeBufferPointer(rebasing: numbers[0..<layout.numberCount]), texts: texts)
    }
    public var capturesDetail: Bool {
        get { base.capturesDetail }
        set {}
    }
    public var copiesObservation: Bool {
        get { base.copiesObservation }
        set {}
    }
    public var lastObservation: Value { value }
    /// `info` may hold anything: a seat never sees it.
    public var lastInfo: Value { .nil }

    public func currentPlayer() throws(EnvironmentError) -> Int { try base.currentPlayer() }
    public func legalActions(into actions: inout [Int]) throws(EnvironmentError) { try base.legalActions(into: &actions) }
    public func turn(legal actions: inout [Int]) throws(EnvironmentError) -> Int { try base.turn(legal: &actions) }

    /// The omniscient rendering would show every hand: a seat gets none.
    public func render() throws(EnvironmentError) -> String? { nil }

    /// A determinization: a clone re-dealt consistently with this seat's view, reseeded.
    /// - Throws: ``EnvironmentError/missingFunction(_:environment:purpose:)`` without `E.resample`.
    public func clone() throws(EnvironmentError) -> any Environment {
        guard spec.clonable else { throw refused("clone") }
        guard spec.canResample else {
            throw .missingFunction("resample", environment: spec.id, purpose: "search on a game with private observations needs E.resample(self, player) to re-deal what the player cannot see")
        }
        let copy = try base.clone()
        try copy.resample(for: seat, seed: searchSeeds.next() & SeedStreams.mask)
        return copy
    }

    public func location(of function: String) -> SourceLocation? { base.location(of: function) }

    public func call(_ name: String, _ arguments: [Value], results: Int) throws(EnvironmentError) -> [Value] { throw refused(name) }

    public func observation(of player: Int) throws(EnvironmentError) -> Value {
        guard player == seat else { throw refused("observe") }
        return value
    }

    public func informationState(of player: Int) throws(EnvironmentError) -> String {
        guard player == seat else { throw refused("information_state") }
        return try base.informationState(of: seat)
    }

    public func reseed(_ seed: UInt64) throws(EnvironmentError) { throw refused("reseed") }
    public func resample(for player: Int, seed: UInt64) throws(EnvironmentError) { throw refused("resample") }
}
