import LudusLua

/// Uniform over the parameter box: the baseline every teacher must beat.
public final class RandomTeacher: Teacher {
    public let name = "random"
    private let space: ParameterSpace

    public init(space: ParameterSpace) { self.space = space }

    public func sample(using generator: inout SeededGenerator) -> TeacherTask { TeacherTask(params: space.sample(using: &generator)) }
    public func update(_ task: TeacherTask, outcome: TeacherOutcome) {}
}
