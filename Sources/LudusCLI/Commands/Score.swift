import ArgumentParser
import Foundation
import Ludus
import LudusLua

struct Score: ParsableCommand {
    static let configuration = CommandConfiguration(
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

    /// Scores a batch of lines at a time, one VM per worker, and writes the scores in input
    /// order. A bad line (not JSON, not an item and answer, or an answer the scorer fails
    /// on) writes `error` in its place, so output line k still answers input line k, names
    /// its line number on standard error, and the batch goes on; the exit status is then non-zero.
    private func scoreBatch(_ env: any Environment, path: String) throws {
        let data: Data
        if path == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            // Read once into Data (not mapped: a file truncated by another process while it is
            // scored would kill a mapped reader with SIGBUS). A pipe (`<(...)`) is read through a
            // file handle; a directory or a failing read is an error, not a crash.
            var info = stat()
            let regular = stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
            let read: Data?
            if regular {
                read = try? Data(contentsOf: URL(fileURLWithPath: path))
            } else if info.st_mode & S_IFMT == S_IFDIR {
                read = nil
            } else {
                read = (try? FileHandle(forReadingAtPath: path)?.readToEnd()).map { $0 ?? Data() }
            }
            guard let read else { throw CommandFailure("cannot read \(path)") }
            data = read
        }
        let start = Date()
        var scored = 0, failures = 0, total = 0.0
        try data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            // Lines are cut on the newline byte: splitting a String by Character is
            // grapheme-aware and was a third of the time.
            let lines = Dataset.lineRanges(bytes)
            let environments = [env] + (try (1..<max(1, min(workers, lines.count / 64))).map { _ in
                let extra = try options.load(environment)
                try extra.reset(seed: 0, params: extra.spec.parameters.defaults)
                return extra
            })
            var out = ""
            let chunk = 4096 * environments.count
            var first = 0
            while first < lines.count {
                let end = min(lines.count, first + chunk)
                for (offset, result) in Dataset.scoreLines(environments, in: bytes, lines[first..<end]).enumerated() {
                    switch result {
                    case .blank: continue
                    case .score(let score):
                        out += JSON.number(score) + "\n"
                        scored += 1
                        total += score
                    case .failure(let message):
                        failures += 1
                        out += "error\n"
                        FileHandle.standardError.write(Data("\(path):\(first + offset + 1): \(message)\n".utf8))
                    }
                }
                print(out, terminator: "")
                out.removeAll(keepingCapacity: true)
                first = end
            }
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
