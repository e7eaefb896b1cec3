import LudusLua

extension CheckContext {
    mutating func checkSpec() throws(CheckFailure) {
        if let range = spec.rewardRange, let threshold = spec.successThreshold, !range.contains(threshold) {
            problem("success_threshold \(threshold) is outside reward_range [\(range.lowerBound), \(range.upperBound)]")
        }
        if case .dict = spec.actionSpace { problem("dict action spaces are not supported by the built-in agents") }
        if spec.players > 1 && spec.roles.count != spec.players { problem("roles must name every player") }
    }

    /// Reset works at every bound of every parameter, and values outside are rejected clearly.
    mutating func checkParams() throws(CheckFailure) {
        guard !spec.parameters.isEmpty else { throw .skip("no params") }
        for parameter in spec.parameters.parameters {
            var values: [Value] = []
            var outside: [Value] = [.string("not-a-value")]
            switch parameter.kind {
            case .int:
                values = [.int(Int64(parameter.min!)), .int(Int64(parameter.max!))]
                outside += [.int(Int64(parameter.max!) + 1), .int(Int64(parameter.min!) - 1)]
            case .float:
                values = [.number(parameter.min!), .number(parameter.max!)]
                outside += [.number(parameter.max! + 1), .number(parameter.min! - 1)]
            case .choice:
                values = parameter.choices
            case .string:
                values = [parameter.defaultValue]
                outside = [.int(1)]
            }
            for value in values {
                do {
                    let params = try spec.parameters.resolve([parameter.name: value], environment: spec.id)
                    env.capturesDetail = true
                    defer { env.capturesDetail = false }
                    try env.reset(seed: seed(1), params: params)
                    if let why = spec.observationSpace.problem(with: env.lastObservation) {
                        problem("with \(parameter.name)=\(displayText(value)): reset observation outside the space: \(why)")
                    }
                    var legal: [Int] = []
                    try env.legalActions(into: &legal)
                    let action = try RandomAgent(actionSpace: spec.actionSpace).act(in: env, legalActions: legal)
                    _ = try env.step(action)
                } catch let error as EnvironmentError {
                    let f = failure(error)
                    problem("with \(parameter.name)=\(displayText(value)): \(f.message)", at: f.location)
                } catch {
                    problem("with \(parameter.name)=\(displayText(value)): \(error)")
                }
            }
            for value in outside {
                do {
                    _ = try spec.parameters.resolve([parameter.name: value], environment: spec.id)
                    problem("\(parameter.name)=\(displayText(value)) was accepted, but it is outside \(parameter.domain)")
                } catch {
                    if !error.description.contains(parameter.name) { problem("rejection of \(parameter.name) does not name it: \(error)") }
                }
            }
        }
    }

    mutating func checkReset() throws(CheckFailure) {
        env.capturesDetail = true
        defer { env.capturesDetail = false }
        try attempt { () throws(EnvironmentError) in try env.reset(seed: seed(1), params: spec.parameters.defaults) }
        let (observation, info) = (env.lastObservation, env.lastInfo)
        if let why = spec.observationSpace.problem(with: observation) {
            problem("reset returned an observation outside \(spec.observationSpace): \(why)", at: location("reset"))
        }
        switch info {
        case .table, .array: break
        default: problem("reset must return info as a table, got \(info.typeName)", at: location("reset"))
        }
    }

    /// The same seed gives the same observation and the same first steps.
    mutating func checkDeterminism() throws(CheckFailure) {
        let first = try playHash(env, seed: seed(2), steps: 20)
        let second = try playHash(env, seed: seed(2), steps: 20)
        if first != second {
            problem("two episodes with the same seed and actions differ: keep all state in self and use self.rng")
        }
    }

    mutating func checkRender() throws(CheckFailure) {
        guard spec.functions.contains("render") else { throw .skip("no render") }
        try attempt { () throws(EnvironmentError) in try env.reset(seed: seed(3), params: spec.parameters.defaults) }
        let text = try attempt { () throws(EnvironmentError) in try env.render() }
        if text?.isEmpty ?? true { problem("render returned an empty string", at: location("render")) }
    }

    func location(_ function: String) -> String? {
        env.location(of: function)?.description
    }

    /// Plays `steps` seeded random steps from a reset and hashes everything seen
    /// (the driver's one trajectory hash).
    func playHash(_ environment: any Environment, seed: UInt64, steps: Int, params: [String: Value]? = nil) throws(CheckFailure) -> String {
        let driver = EpisodeDriver(environment: environment)
        driver.onAgentFailure = .stop
        let agents = randomAgents()
        do {
            return try driver.play(seed: seed, params: params ?? environment.spec.parameters.defaults, agents: agents, limit: steps).trajectoryHash
        } catch { throw failure(error) }
    }

    /// Random agents, one per seat.
    func randomAgents() -> [any Agent] { (0..<spec.players).map { _ in RandomAgent(actionSpace: spec.actionSpace) } }

    func failure(_ error: EpisodeError) -> CheckFailure {
        switch error {
        case .environment(let environmentError): return failure(environmentError)
        default: return CheckFailure(location: nil, message: error.description)
        }
    }
}
