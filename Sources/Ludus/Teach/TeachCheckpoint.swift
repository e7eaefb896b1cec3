import Foundation

extension TeachLoop {
    /// The complete state of a teach run after `episode` training episodes: the student's
    /// and the teacher's own checkpoints, the teacher's sampling generator, and the
    /// evaluations reported so far. Everything else (test set, episode seeds) follows
    /// from the run seed. Stored as one BLOB per run (``encoded()``).
    public struct Checkpoint: Codable, Sendable {
        /// Training episodes done (0: only the initial evaluation).
        public var episode: Int
        var teacherGenerator: GeneratorState
        public var evaluations: [Evaluation]
        var student: Data
        var teacher: Data
        /// Environment steps of the training episodes so far (nil in checkpoints from before step budgets).
        var steps: Int? = nil

        public func encoded() throws -> Data { try CheckpointCoder.encode(self) }

        /// - Throws: ``CheckpointError/corrupt(kind:reason:)`` for bytes that are not a teach checkpoint.
        public static func decode(_ data: Data) throws -> Checkpoint {
            try CheckpointCoder.decode(Checkpoint.self, from: data, kind: "teach")
        }
    }
}
