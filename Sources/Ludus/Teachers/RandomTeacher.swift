import Foundation
import LudusLua

/// Uniform over the parameter box: the baseline every teacher must beat.
public final class RandomTeacher: Teacher {
    public let name = "random"
    private let space: ParameterSpace

    public init(space: ParameterSpace) { self.space = space }

    public func sample(using generator: inout SeededGenerator) -> TeacherTask { TeacherTask(params: space.sample(using: &generator)) }
    public func update(_ task: TeacherTask, outcome: TeacherOutcome) {}
}

extension RandomTeacher {
    /// Nothing: uniform sampling draws only from the loop's generator.
    public func checkpoint() throws -> Data { Data("{\"teacher\":\"random\"}".utf8) }

    /// - Throws: ``CheckpointError/mismatch(kind:reason:)`` for another teacher's checkpoint.
    public func restore(from data: Data) throws {
        try CheckpointCoder.require(String(decoding: data, as: UTF8.self), equals: "{\"teacher\":\"random\"}", "the teacher", kind: "random")
    }
}
