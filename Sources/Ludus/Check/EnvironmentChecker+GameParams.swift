import LudusLua

extension CheckContext {
    /// Game parameters (`E.game_params`, given with the name: `kuhn_poker(players=3)`):
    /// the script loads and plays at every declared value (each integer of a range of up to
    /// eight, else the bounds; every choice), its golden playthrough holds for each, giving
    /// the default explicitly changes nothing, and values outside are refused naming the parameter.
    mutating func checkGameParams() throws(CheckFailure) {
        guard !spec.gameParameters.isEmpty else { throw .skip("no game params") }
        let base = script.game?.given ?? []
        let defaultPlay = try playthrough(of: env)
        for parameter in spec.gameParameters.parameters where !base.contains(where: { $0.name == parameter.name }) {
            for value in Self.declaredValues(of: parameter) {
                let game = GameName(base: script.path, given: base + [(parameter.name, value)])
                let label = "\(parameter.name)=\(displayText(value))"
                let loaded: LuaEnvironment
                do {
                    var location = script
                    location.game = game
                    loaded = try catalog.load(location, limits: options.limits)
                } catch {
                    let f = failure(error)
                    problem("with \(label): \(f.message)", at: f.location)
                    continue
                }
                let text: String
                do { text = try playthrough(of: loaded) } catch {
                    problem("with \(label): \(error.message)", at: error.location)
                    continue
                }
                if value == parameter.defaultValue && body(text) != body(defaultPlay) {
                    problem("giving the default \(label) explicitly plays differently from giving nothing: the script's own default must be E.game_params.\(parameter.name).default")
                }
                do { try compareGolden(loaded) } catch {
                    if error.skip == nil { problem("with \(label): \(error.message)", at: error.location) }
                }
            }
            for value in Self.outsideValues(of: parameter) {
                var location = script
                location.game = GameName(base: script.path, given: base + [(parameter.name, value)])
                do {
                    _ = try catalog.load(location, limits: options.limits)
                    problem("game parameter \(parameter.name)=\(displayText(value)) was accepted, but it is outside \(parameter.domain)")
                } catch {
                    if !error.description.contains(parameter.name) { problem("rejection of game parameter \(parameter.name) does not name it: \(error)") }
                }
            }
        }
    }

    private func playthrough(of environment: LuaEnvironment) throws(CheckFailure) -> String {
        do { return try GoldenPlaythrough.text(environment, seed: options.seed) } catch { throw failure(error) }
    }

    /// The playthrough without its header line (which names the environment as loaded).
    private func body(_ text: String) -> Substring { text.drop { $0 != "\n" } }

    static func declaredValues(of parameter: Parameter) -> [Value] {
        switch parameter.kind {
        case .int:
            let low = Int64(parameter.min!), high = Int64(parameter.max!)
            return high - low < 8 ? (low...high).map { .int($0) } : [.int(low), .int(high)]
        case .float: return [.number(parameter.min!), .number(parameter.max!)]
        case .choice: return parameter.choices
        case .string: return [parameter.defaultValue]
        }
    }

    static func outsideValues(of parameter: Parameter) -> [Value] {
        switch parameter.kind {
        case .int: return [.int(Int64(parameter.max!) + 1), .int(Int64(parameter.min!) - 1), .string("not-a-value")]
        case .float: return [.number(parameter.max! + 1), .number(parameter.min! - 1), .string("not-a-value")]
        case .choice: return [.string("not-a-value")]
        case .string: return [.int(1)]
        }
    }
}
