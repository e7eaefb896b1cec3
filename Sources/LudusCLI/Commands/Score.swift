import ArgumentParser
import Foundation
import Ludus
import LudusLua

struct Score: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Score answers for items (from `ludus generate` or reasoning-gym): one, or a JSONL batch.",
        discussion: """
            One answer: --item JSON --answer TEXT prints its score.
            A batch: --batch FILE reads JSON lines {"item": {...}, "answer": "..."} ("-" for standard \
            input) and prints one score per line, in order.
            """)

    @OptionGroup var options: EnvironmentOptions
    @Argument(help: "An environment id or a .lua file with E.score_item.") var environment: String
    // Values may start with `-` (an answer like `-1 + 72*(89 - 77)`, as 2 in 100 of reasoning-gym's
    // own countdown answers do): the next argument is always the value, never a flag.
    @Option(parsing: .unconditional, help: ArgumentHelp("The item as JSON (or @file).", valueName: "json")) var item: String?
    @Option(parsing: .unconditional, help: ArgumentHelp("The answer text (or @file).", valueName: "text")) var answer: String?
    @Option(help: ArgumentHelp("JSON lines of {\"item\", \"answer\"} to score (- for standard input).", valueName: "file"))
    var batch: String?
    @Option(help: "Workers for --batch, one VM each (default: one per core); scores do not depend on it.")
    var workers: Int = min(ProcessInfo.processInfo.activeProcessorCount, 64)

    func validate() throws {
        guard (1...256).contains(workers) else { throw ValidationError("--workers must be between 1 and 256") }
        if batch != nil {
            guard item == nil, answer == nil else { throw ValidationError("give --batch, or --item and --answer, not both") }
        } else {
            guard item != nil, answer != nil else { throw ValidationError("give --item and --answer, or --batch FILE") }
        }
    }

    func run() throws {
        Dataset.stopIdleBLASThreads()
        let env = try options.load(environment)
        try env.reset(seed: 0, params: env.spec.parameters.defaults)
        if let batch {
            try scoreBatch(env, path: batch)
            return
        }
        let value: Value
        do { value = try JSON.decode(try Self.text(item!)) } catch let error as JSONError { throw CommandFailure("--item: \(error)") }
        print(JSON.number(try Dataset.score(env, item: value, answer: try Self.text(answer!))))
    }

    /// Scores a batch a block of lines at a time (``LineBlockReader``: bounded memory, a file of
    /// any size or a pipe), one VM per worker, and writes the scores in input order. A bad
    /// line (not JSON, not an item and answer, or an answer the scorer fails on) writes
    /// `error` in its place, so output line k still answers input line k, names its line
    /// number on standard error, and the batch goes on; the exit status is then non-zero.
    private func scoreBatch(_ env: any Environment, path: String) throws {
        // Read, not mapped: a file truncated by another process while it is scored would kill
        // a mapped reader with SIGBUS. A directory or a failing read is an error, not a crash.
        let reader: LineBlockReader
        do { reader = try LineBlockReader(path: path) } catch { throw CommandFailure("\(error)") }
        let start = Date()
        var environments = [env]
        var scored = 0, failures = 0, total = 0.0, linesBefore = 0
        var out = ""
        func score(_ bytes: UnsafeRawBufferPointer, isLast: Bool) throws {
            // Lines are cut on the newline byte: splitting a String by Character is
            // grapheme-aware and was a third of the time.
            let lines = Dataset.lineRanges(bytes)
            if environments.count == 1 {
                // One VM per 64 lines up to --workers: a small batch does not pay for VMs it
                // would not use. Past the first block the batch is large.
                let wanted = isLast ? max(1, min(workers, lines.count / 64)) : workers
                for _ in 1..<wanted {
                    let extra = try options.load(environment)
                    try extra.reset(seed: 0, params: extra.spec.parameters.defaults)
                    environments.append(extra)
                }
            }
            for (offset, result) in Dataset.scoreLines(environments, in: bytes, lines[...]).enumerated() {
                switch result {
                case .blank: continue
                case .score(let score):
                    out += JSON.number(score) + "\n"
                    scored += 1
                    total += score
                case .failure(let message):
                    failures += 1
                    out += "error\n"
                    FileHandle.standardError.write(Data("\(path):\(linesBefore + offset + 1): \(message)\n".utf8))
                }
            }
            linesBefore += lines.count
            print(out, terminator: "")
            out.removeAll(keepingCapacity: true)
        }
        do {
            while try reader.nextBlock({ bytes, isLast in try score(bytes, isLast: isLast) }) {}
        } catch let error as LineBlockReader.ReadError {
            throw CommandFailure("\(error)")
        }
        let seconds = Date().timeIntervalSince(start)
        // No mean of nothing: a batch with no scored line says so rather than print a mean of 0.
        let mean = scored > 0 ? String(format: ", mean %.4f", total / Double(scored)) : " (no mean)"
        let rate = String(format: "in %.2f s (%.0f/s)", seconds, Double(scored) / max(seconds, 1e-9))
        FileHandle.standardError.write(Data("scored \(scored) answer(s)\(mean), \(rate)\n".utf8))
        if failures > 0 { throw CommandFailure("\(failures) line(s) of \(path) could not be scored (marked `error` above)") }
    }

    static func text(_ argument: String) throws -> String {
        guard argument.hasPrefix("@") else { return argument }
        guard let text = try? String(contentsOfFile: String(argument.dropFirst()), encoding: .utf8) else {
            throw CommandFailure("cannot read \(argument.dropFirst())")
        }
        return text
    }
}
