import ArgumentParser
import Foundation
import Ludus

/// A run's JSONL log that follows its checkpoints: lines are held until the next
/// checkpoint, then appended, and ``flush()`` returns the file's length, stored with the
/// checkpoint. Resuming truncates the file to that length, so lines written after the
/// last checkpoint (by a run killed before committing it) are not kept twice.
final class CheckpointedLog {
    let path: String
    private let handle: FileHandle
    private var pending = ""

    /// A new log starting with `header`, or, with `offset`, the existing one cut back to it.
    init(path: String, header: String, resumingAt offset: Int64?) throws {
        self.path = path
        let exists = FileManager.default.fileExists(atPath: path)
        if offset == nil || !exists {
            guard FileManager.default.createFile(atPath: path, contents: Data((header + "\n").utf8)) else {
                throw CommandFailure("cannot write \(path)")
            }
            if offset != nil { FileHandle.standardError.write(Data("warning: \(path) was missing; the resumed log starts at the checkpoint\n".utf8)) }
        }
        handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        if let offset, exists { try handle.truncate(atOffset: UInt64(offset)) }
        try handle.seekToEnd()
    }

    deinit { try? handle.close() }

    func append(_ line: String) { pending += line + "\n" }

    /// Writes the held lines; returns the log's length.
    func flush() throws -> Int64 {
        if !pending.isEmpty { try handle.write(contentsOf: Data(pending.utf8)) }
        pending = ""
        return Int64(try handle.offset())
    }
}

/// `--resume` and `--checkpoint-every`, shared by teach, selfplay and critic.
struct ResumeOptions: ParsableArguments {
    @Flag(help: "After a crash (kill -9 included), finish the run recorded in --db with the same settings: restored from its last checkpoint, with results identical to an uninterrupted run.")
    var resume = false

    /// The run to continue: the latest of `loop` with this environment and configuration,
    /// rewound to its checkpoint (rows after it deleted; without a checkpoint, all of them).
    /// - Throws: ``CommandFailure`` when no run has this configuration, naming the latest run's.
    func resumedRun(_ loop: CheckpointedLoop, store: ResultStore, environment: String, config: String, db: String) throws -> (run: Int64, checkpoint: StoredCheckpoint?) {
        guard let run = try store.run(loop, environment: environment, config: config) else {
            var message = "--resume: no \(loop.rawValue) run in \(db) on \(environment) with this configuration:\n  \(config)"
            if let latest = try store.latestRun(loop) {
                message += "\nthe latest \(loop.rawValue) run (\(latest.id)) on \(latest.environment) was started with:\n  \(latest.config)\nrun the same command as it (only --resume added), or drop --resume to start a new run"
            }
            throw CommandFailure(message)
        }
        let checkpoint = try store.checkpoint(loop, run: run)
        try store.rewind(loop, run: run, to: checkpoint?.progress)
        return (run, checkpoint)
    }

    /// With `--resume`, the run to continue (see ``resumedRun(_:store:environment:config:db:)``),
    /// said on standard output; without, a new run made by `start`.
    func run(_ loop: CheckpointedLoop, store: ResultStore, environment: String, config: String, db: String,
             unit: String = "episode", start: () throws -> Int64) throws -> (run: Int64, checkpoint: StoredCheckpoint?) {
        guard resume else { return (try start(), nil) }
        let (run, checkpoint) = try resumedRun(loop, store: store, environment: environment, config: config, db: db)
        print("resuming run \(run) after \(unit) \(checkpoint?.progress ?? 0)" + (checkpoint == nil ? " (no checkpoint: from the start)" : ""))
        return (run, checkpoint)
    }
}
