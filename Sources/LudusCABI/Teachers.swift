import Foundation
import Ludus
import LudusLua

/// A teacher as a service: the same ``TaskSource`` as `ludus teach` (same teacher, same
/// seed streams, same normalisation), for a trainer that plays the episodes itself.
/// Tasks are numbered from 1 as teach's training episodes are; several may be out at once
/// (a vector env); reported in the order sampled, the sequence equals `ludus teach`'s.
final class TeacherService {
    let source: TaskSource
    var issued = 0
    var pending: [Int: TeacherTask] = [:]

    init(source: TaskSource) { self.source = source }
}

private func service(_ handle: UnsafeMutableRawPointer?) throws -> TeacherService { try Handle.get(handle, as: TeacherService.self) }

/// A teacher (`random`, `alp-gmm`, `riac`, `sec[:PARAM[=V1,...]]`, `target`, `plr[:...]`, as
/// `ludus teach --teacher`) over environment `name`. `options` (JSON): LoadOptions' keys, plus
/// `seed` (teach's `--seed`), `params` (fixed values, `--param`) and `vary` (`{"size": [5, 8]}`
/// or `{"size": null}`: teach's `--vary`).
@_cdecl("ludus_teacher_create")
public func ludus_teacher_create(_ teacher: UnsafePointer<CChar>?, _ name: UnsafePointer<CChar>?, _ options: UnsafePointer<CChar>?,
                                 _ out: UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
                                 _ error: UnsafeMutablePointer<CChar>?, _ capacity: Int64) -> Int32 {
    guarded(error, capacity) {
        let out = try required(out, "out")
        let settings = try object(options, "options")
        let load = try LoadOptions(settings)
        let env = try load.load(try load.catalog.resolve(try string(name, "name")))
        let spec = env.spec
        var given: [String: Value] = [:]
        if case .table(let fields)? = settings["params"] { given = fields }
        let fixed = try spec.parameters.resolve(given, environment: spec.id).filter { given.keys.contains($0.key) }
        var varying: [String: ClosedRange<Double>?]?
        if case .table(let fields)? = settings["vary"] {
            var ranges: [String: ClosedRange<Double>?] = [:]
            for (parameter, value) in fields {
                if let bounds = value.arrayValue?.compactMap(\.doubleValue), bounds.count == 2, bounds[0] <= bounds[1] {
                    ranges[parameter] = bounds[0]...bounds[1]
                } else if value.isNil {
                    ranges[parameter] = .some(nil)
                } else {
                    throw Failure(.setup, kind: "bad_spec", "vary \(parameter): expected null or [low, high], got \(JSON.encode(value))")
                }
            }
            varying = ranges
        }
        let space = try spec.parameters.restricted(varying: varying, fixed: Set(fixed.keys))
        let made = try TeacherFactory.make(try string(teacher, "teacher"), space: space, environment: spec.id)
        let seed = UInt64(max(0, settings["seed"]?.intValue ?? 0))
        out.pointee = Handle.make(TeacherService(source: TaskSource(teacher: made, spec: spec, fixedParams: fixed, seed: seed)))
    }
}

@_cdecl("ludus_teacher_free")
public func ludus_teacher_free(_ handle: UnsafeMutableRawPointer?) { Handle.release(handle) }

/// The next task as JSON: `{"index", "params" (every parameter as the environment gets it),
/// "chosen" (the teacher's own values), "seed", "learn", "replay"}`.
@_cdecl("ludus_teacher_sample")
public func ludus_teacher_sample(_ handle: UnsafeMutableRawPointer?, _ out: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                                 _ error: UnsafeMutablePointer<CChar>?, _ capacity: Int64) -> Int32 {
    guarded(error, capacity) {
        let t = try service(handle)
        let out = try required(out, "out")
        let index = t.issued + 1
        let (task, params) = try t.source.next(episode: index)
        t.issued = index
        t.pending[index] = task
        let json: Value = ["index": .int(Int64(index)), "params": .table(params), "chosen": .table(task.params),
                           "seed": .int(Int64(task.seed!)), "learn": .bool(task.learn), "replay": .bool(task.isReplay)]
        out.pointee = allocate(JSON.encode(json))
    }
}

/// Reports how task `index` went: its return (normalised here with `reward_range`),
/// `success` (-1: decided by `success_threshold`, 0, 1), steps played, and optionally
/// (NaN: none) the student's score (mean |GAE advantage|, for PLR) and the trainer's
/// advantage (SEC). Optional `normalized` (may be NULL) receives the normalised return.
@_cdecl("ludus_teacher_update")
public func ludus_teacher_update(_ handle: UnsafeMutableRawPointer?, _ index: Int64, _ episodeReturn: Double, _ success: Int32,
                                 _ length: Int64, _ studentScore: Double, _ advantage: Double,
                                 _ normalized: UnsafeMutablePointer<Double>?,
                                 _ error: UnsafeMutablePointer<CChar>?, _ capacity: Int64) -> Int32 {
    guarded(error, capacity) {
        let t = try service(handle)
        guard let task = t.pending.removeValue(forKey: Int(index)) else {
            throw Failure(.argument, kind: "bad_argument", "task \(index) was not sampled, or was already reported")
        }
        guard episodeReturn.isFinite else { throw Failure(.argument, kind: "bad_argument", "the return must be finite, got \(episodeReturn)") }
        let result = t.source.report(task, return: episodeReturn, success: success < 0 ? nil : success != 0, length: Int(length),
                                     studentScore: studentScore.isNaN ? nil : studentScore, advantage: advantage.isNaN ? nil : advantage)
        normalized?.pointee = result.normalized
    }
}

/// One line of the teacher's state (arm values, buffer size...), as teach's progress shows it.
@_cdecl("ludus_teacher_summary")
public func ludus_teacher_summary(_ handle: UnsafeMutableRawPointer?, _ out: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                                  _ error: UnsafeMutablePointer<CChar>?, _ capacity: Int64) -> Int32 {
    guarded(error, capacity) {
        let t = try service(handle)
        let out = try required(out, "out")
        out.pointee = allocate("\(t.source.teacher.name) \(t.source.teacher.summary)")
    }
}
