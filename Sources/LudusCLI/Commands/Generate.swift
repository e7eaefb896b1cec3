import ArgumentParser
import Foundation
import Ludus
import LudusLua
#if canImport(Glibc)
import Glibc
#endif

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write a deterministic dataset of question/answer items (reasoning-gym's item shape).")

    enum Format: String, ExpressibleByArgument { case jsonl }

    @OptionGroup var options: EnvironmentOptions
    @Argument(help: "An environment id or a .lua file with E.item.") var environment: String
    @Option(help: "Number of items.") var count: Int = 10
    @Option(help: "Seed: item i is generated from a seed derived from it and i.") var seed: UInt64 = 0
    @Option(name: .customLong("param"), help: ArgumentHelp("A parameter value (repeatable).", valueName: "name=value"))
    var params: [String] = []
    @Option(help: "Output format.") var format: Format = .jsonl
    @Option(help: "Worker threads, each with its own VM; the output does not depend on it. Default: one per core (at most 64).")
    var workers: Int = min(ProcessInfo.processInfo.activeProcessorCount, 64)
    @Option(help: ArgumentHelp("Write only shard K of N of the items (K from 0; `auto` as for `ludus tournament --shard`): the shards' files concatenated in order are the whole dataset.", valueName: "K/N"))
    var shard: String?
    @Option(help: ArgumentHelp("Write to this file instead of standard output (through FILE.tmp-PID, renamed when complete).", valueName: "file")) var out: String?
    @Flag(help: "No progress on standard error.") var quiet = false

    func validate() throws {
        guard count >= 0 else { throw ValidationError("--count must be 0 or more") }
        guard (1...256).contains(workers) else { throw ValidationError("--workers must be between 1 and 256") }
    }

    func run() throws {
        Dataset.stopIdleBLASThreads()
        let indices: Range<Int>
        do { indices = try shard.map { try Shard.parse($0, environment: ProcessInfo.processInfo.environment).range(of: count) } ?? 0..<count }
        catch { throw CommandFailure("\(error)") }
        let env = try options.load(environment)
        let resolved = try env.spec.parameters.parse(params, environment: env.spec.id)
        let environments = [env] + (try (1..<max(1, min(workers, indices.count))).map { _ in try options.load(environment) })
        // Streamed a batch at a time: a million items never sit in memory at once.
        // With --out the items go to a temporary file renamed at the end: a killed run never
        // leaves a file that looks complete.
        let output: FileHandle
        var temporary: String?
        if let out {
            let folder = URL(fileURLWithPath: out).deletingLastPathComponent()
            try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let path = out + ".tmp-\(ProcessInfo.processInfo.processIdentifier)"
            guard FileManager.default.createFile(atPath: path, contents: nil) else { throw CommandFailure("cannot write \(path)") }
            output = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            temporary = path
        } else {
            output = FileHandle.standardOutput
        }
        let progress = ProgressMeter(label: "generate", total: count, unit: "items", quiet: quiet)
        var written = 0
        do {
            try Dataset.writeBytes(environments, from: indices.lowerBound, count: indices.count, seed: seed, params: resolved) { bytes in
                try output.write(contentsOf: bytes)
                written += bytes.reduce(0) { $0 + ($1 == 10 ? 1 : 0) }
                progress.update(written)
            }
            progress.finish()
        } catch {
            if let temporary { try? output.close(); try? FileManager.default.removeItem(atPath: temporary) }
            throw error
        }
        if let out, let temporary {
            try output.synchronize()
            try output.close()
            guard rename(temporary, out) == 0 else { throw CommandFailure("cannot rename \(temporary) to \(out): \(String(cString: strerror(errno)))") }
        }
    }
}
