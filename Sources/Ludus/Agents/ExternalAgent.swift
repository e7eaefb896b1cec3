import Foundation
import LudusLua

/// Any program speaking JSON lines over stdin/stdout (`exec:COMMAND`); see
/// docs/agents-protocol.md. A crash, a hang past the per-move limit, or a garbled
/// line forfeits the game with the reason; the program is restarted for the next game.
public final class ExternalAgent: Agent {
    public let name: String
    private let command: String
    private let environment: EnvironmentSpec
    private let moveMilliseconds: Int
    private var process: Process?
    private var input: FileHandle?
    private var outputDescriptor: Int32 = -1
    private var buffer: [UInt8] = []
    private var steps = 0
    private var failure: AgentFailure?

    public init(command: String, environment: EnvironmentSpec, moveMilliseconds: Int) {
        name = "exec:\(command)"
        self.command = command
        self.environment = environment
        self.moveMilliseconds = moveMilliseconds
        signal(SIGPIPE, SIG_IGN)  // a dead agent must not kill the host through a write
    }

    deinit {
        if process?.isRunning == true { try? send(["type": "quit"]) }
        stop()
    }

    public var needsObservationValue: Bool { true }

    public func beginEpisode(seed: UInt64, player: Int) {
        failure = nil
        steps = 0
        do {
            if process?.isRunning != true { try start() }
            try send(["type": "start", "env": .string(environment.id), "player": .int(Int64(player)),
                      "seed": .int(Int64(bitPattern: seed)), "action_space": describe(environment.actionSpace)])
            let reply = try receive(milliseconds: max(moveMilliseconds, 10_000))
            guard reply["type"].stringValue == "ready" else { throw fail("expected {\"type\":\"ready\"}, got \(JSON.encode(reply))") }
        } catch let error as AgentFailure {
            failure = error
        } catch {
            failure = fail("\(error)")
        }
    }

    public func act(in environment: any Environment, legalActions: [Int]) throws -> Action {
        if let failure { throw failure }
        steps += 1
        try send(["type": "act", "observation": environment.lastObservation,
                  "legal_actions": .array(legalActions.map { .int(Int64($0)) }), "step": .int(Int64(steps))])
        let reply = try receive(milliseconds: moveMilliseconds)
        let action = reply["action"]
        if let i = action.intValue { return .discrete(i) }
        if let s = action.stringValue { return .text(s) }
        if let items = action.arrayValue, case let numbers = items.compactMap(\.doubleValue), numbers.count == items.count {
            return .vector(numbers)
        }
        throw fail("protocol error: expected {\"action\": ...}, got \(JSON.encode(reply))")
    }

    public func endEpisode(return episodeReturn: Double) {
        if failure == nil, process?.isRunning == true { try? send(["type": "end", "return": .number(episodeReturn)]) }
    }

    // MARK: - Process and pipes

    private func start() throws {
        stop()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "exec " + command]  // the program replaces the shell: one pid to kill
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle.standardError
        do { try process.run() } catch { throw fail("cannot start: \(error)") }
        self.process = process
        input = stdin.fileHandleForWriting
        outputDescriptor = stdout.fileHandleForReading.fileDescriptor
        _ = fcntl(outputDescriptor, F_SETFL, fcntl(outputDescriptor, F_GETFL) | O_NONBLOCK)
        openPipes.append(stdout)
        buffer.removeAll()
    }

    /// Keeps the pipe objects alive while their descriptors are in use.
    private var openPipes: [Pipe] = []

    private func stop() {
        // No waitUntilExit: from a worker thread it can wait forever on Linux; Foundation reaps the child.
        if let process, process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? input?.close()
        input = nil
        process = nil
        openPipes.removeAll()
        outputDescriptor = -1
    }

    private func fail(_ reason: String) -> AgentFailure {
        let failure = AgentFailure(agent: name, reason: reason)
        stop()  // restarted for the next game
        return failure
    }

    private func send(_ message: [String: Value]) throws {
        guard let input, process?.isRunning == true else { throw fail("agent is not running") }
        let line = Array((JSON.encode(.table(message)) + "\n").utf8)
        let written = line.withUnsafeBytes { Glibc.write(input.fileDescriptor, $0.baseAddress, $0.count) }
        if written != line.count { throw fail("agent closed its input") }
    }

    /// One line of JSON within `milliseconds`.
    private func receive(milliseconds: Int) throws -> Value {
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(milliseconds) * 1_000_000
        while true {
            if let newline = buffer.firstIndex(of: 0x0A) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                do { return try JSON.decode(line) } catch { throw fail("protocol error: not a JSON line: \(line.prefix(120))") }
            }
            guard buffer.count < 1 << 20 else { throw fail("protocol error: line longer than 1 MiB") }
            let now = DispatchTime.now().uptimeNanoseconds
            guard now < deadline else { throw fail("no answer within \(milliseconds) ms") }
            var descriptor = pollfd(fd: outputDescriptor, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, Int32(min((deadline - now) / 1_000_000 + 1, 1000)))
            if ready < 0 && errno != EINTR { throw fail("poll failed: \(errno)") }
            if ready <= 0 { continue }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let got = read(outputDescriptor, &chunk, chunk.count)
            if got > 0 {
                buffer.append(contentsOf: chunk[0..<got])
            } else if got == 0 {
                throw fail("agent exited without answering")
            } else if errno != EAGAIN && errno != EINTR {
                throw fail("read failed: \(errno)")
            }
        }
    }

    private func describe(_ space: Space) -> Value {
        switch space {
        case .discrete(let n, let start): return ["kind": "discrete", "n": .int(Int64(n)), "start": .int(Int64(start))]
        case .text(let maxLength, _): return ["kind": "text", "max_length": .int(Int64(maxLength))]
        case .box(let low, let high, let shape):
            return ["kind": "box", "low": .array(low.map { .number($0) }), "high": .array(high.map { .number($0) }),
                    "shape": .array(shape.map { .int(Int64($0)) })]
        case .multiDiscrete(let nvec): return ["kind": "multi_discrete", "nvec": .array(nvec.map { .int(Int64($0)) })]
        default: return ["kind": .string(space.description)]
        }
    }
}
