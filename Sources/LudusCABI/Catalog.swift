import Foundation
import Ludus
import LudusLua

/// The facts Python needs to build Gymnasium and PettingZoo spaces, as one JSON object.
enum SpecJSON {
    static func space(_ space: Space) -> Value {
        func number(_ x: Double) -> Value { x.isFinite ? .number(x) : .string(x > 0 ? "inf" : "-inf") }
        switch space {
        case .discrete(let n, let start): return ["type": "discrete", "n": .int(Int64(n)), "start": .int(Int64(start))]
        case .box(let low, let high, let shape):
            return ["type": "box", "low": .array(low.map(number)), "high": .array(high.map(number)),
                    "shape": .array(shape.map { .int(Int64($0)) })]
        case .multiDiscrete(let nvec): return ["type": "multi_discrete", "nvec": .array(nvec.map { .int(Int64($0)) })]
        case .multiBinary(let n): return ["type": "multi_binary", "n": .int(Int64(n))]
        case .text(let maxLength, let minLength):
            return ["type": "text", "max_length": .int(Int64(max(maxLength, minLength))), "min_length": .int(Int64(minLength))]
        case .dict(let entries):
            return ["type": "dict", "entries": .array(entries.map { ["name": .string($0.name), "space": self.space($0.space)] })]
        case .tuple(let parts): return ["type": "tuple", "spaces": .array(parts.map(self.space))]
        }
    }

    static func parameter(_ p: Parameter) -> Value {
        var fields: [String: Value] = ["name": .string(p.name), "kind": .string(p.kind.rawValue), "default": p.defaultValue,
                                       "description": .string(p.description), "domain": .string(p.domain)]
        if let low = p.min { fields["min"] = .number(low) }
        if let high = p.max { fields["max"] = .number(high) }
        if !p.choices.isEmpty { fields["choices"] = .array(p.choices) }
        return .table(fields)
    }

    static func spec(_ spec: EnvironmentSpec) -> Value {
        var fields: [String: Value] = [
            "id": .string(spec.id), "description": .string(spec.description), "version": .string(spec.version),
            "path": .string(spec.path), "players": .int(Int64(spec.players)), "roles": .array(spec.roles.map { .string($0) }),
            "observation_space": space(spec.observationSpace), "action_space": space(spec.actionSpace),
            "observation_text": .string(spec.observationSpace.description), "action_text": .string(spec.actionSpace.description),
            "params": .array(spec.parameters.parameters.map(parameter)),
            "functions": .array(spec.functions.sorted().map { .string($0) }),
            "number_count": .int(Int64(spec.observationSpace.layout.numberCount)),
            "text_max_lengths": .array(spec.observationSpace.textMaxLengths.map { .int(Int64($0)) }),
            "clonable": .bool(spec.clonable), "has_legal_actions": .bool(spec.hasLegalActions),
            "step_cap": .int(Int64(spec.maxSteps ?? EpisodeDriver.stepCapWithoutMaxSteps)),
            "action_names": .array(spec.actionNames.map { .string($0) }),
        ]
        if let range = spec.rewardRange { fields["reward_range"] = .array([.number(range.lowerBound), .number(range.upperBound)]) }
        if let threshold = spec.successThreshold { fields["success_threshold"] = .number(threshold) }
        if let steps = spec.maxSteps { fields["max_steps"] = .int(Int64(steps)) }
        return .table(fields)
    }
}

/// The environments `ludus list` shows, as a JSON array of `{"id", "path", "players", ...}`
/// (each script loaded once to read its facts; scripts that fail to load are listed with
/// their `error`). `options`: see ``LoadOptions``.
@_cdecl("ludus_list_json")
public func ludus_list_json(_ options: UnsafePointer<CChar>?, _ out: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                            _ error: UnsafeMutablePointer<CChar>?, _ capacity: Int64) -> Int32 {
    guarded(error, capacity) {
        let out = try required(out, "out")
        let load = try LoadOptions(try object(options, "options"))
        var items: [Value] = []
        for location in load.catalog.scripts() {
            do {
                let spec = try load.load(location).spec
                items.append(["id": .string(spec.id), "path": .string(location.path), "players": .int(Int64(spec.players)),
                              "observation_text": .string(spec.observationSpace.description),
                              "action_text": .string(spec.actionSpace.description)])
            } catch {
                items.append(["id": .nil, "path": .string(location.path), "error": .string("\(error)")])
            }
        }
        out.pointee = allocate(JSON.encode(.array(items)))
    }
}

/// One environment's facts (spaces, params, players...) as JSON, without keeping it loaded.
@_cdecl("ludus_spec_json")
public func ludus_spec_json(_ name: UnsafePointer<CChar>?, _ options: UnsafePointer<CChar>?,
                            _ out: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                            _ error: UnsafeMutablePointer<CChar>?, _ capacity: Int64) -> Int32 {
    guarded(error, capacity) {
        let out = try required(out, "out")
        let load = try LoadOptions(try object(options, "options"))
        let env = try load.load(try load.catalog.resolve(try string(name, "name")))
        out.pointee = allocate(JSON.encode(SpecJSON.spec(env.spec)))
    }
}

/// The seed `ludus run --seed ROOT` gives episode `index` (1-based): what a Python reset
/// with `seed=ROOT` plays first, then `index` 2, 3... on later resets.
@_cdecl("ludus_episode_seed")
public func ludus_episode_seed(_ root: UInt64, _ index: UInt64) -> UInt64 {
    SeedStreams(root: root).seed(.episode, index)
}
