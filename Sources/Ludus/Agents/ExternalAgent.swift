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
    /// The agent's pid; it leads its own process group (everything it starts is in it).
    private var pid: pid_t = 0
    private var inputDescriptor: Int32 = -1
    private var outputDescriptor: Int32 = -1
    private var buffer: [UInt8] = []
    private var steps = 0
    private var failure: AgentFailure?
    /// The agent asked for `step` messages (`{"type":"ready","steps":true}`).
    public private(set) var wantsSteps = false
    /// Extra fields of every `start` message (``ExternalStudent`` adds `learn`).
    public var startFields: [String: Value] = [:]
    /// The environment of the last `act`, for the next observation of `step` messages.
    private weak var lastEnvironment: (any Environment)?

    public init(command: String, environment: EnvironmentSpec, moveMilliseconds: Int) {
        name = "exec:\(command)"
        self.command = command
        self.environment = environment
        self.moveMilliseconds = moveMilliseconds
        signal(SIGPIPE, SIG_IGN)  // a dead agent must not kill the host through a write
    }

    deinit {
        // A polite quit (it may take a moment to arrive), then the whole group goes.
        if isRunning { try? send(["type": "quit"], deadline: Self.deadline(milliseconds: 100)) }
        stop()
    }

    /// The process group of the running agent, or nil (for tests and diagnostics).
    public var processGroup: pid_t? { pid > 0 ? pid : nil }

    public var needsObservationValue: Bool { true }

    public func beginEpisode(seed: UInt64, player: Int) {
        failure = nil
        steps = 0
        do {
            if !isRunning { try start() }
            let limit = max(moveMilliseconds, 10_000)
            let deadline = Self.deadline(milliseconds: limit)
            let start: [String: Value] = ["type": "start", "env": .string(environment.id), "player": .int(Int64(player)),
                                          "seed": .int(Int64(bitPattern: seed)), "action_space": describe(environment.actionSpace)]
            try send(start.merging(startFields) { old, _ in old }, deadline: deadline, limit: limit)
            let reply = try receive(deadline: deadline, limit: limit)
            guard reply["type"].stringValue == "ready" else { throw fail("expected {\"type\":\"ready\"}, got \(JSON.encode(reply))") }
            wantsSteps = reply["steps"].boolValue ?? false
        } catch let error as AgentFailure {
            failure = error
        } catch {
            failure = fail("\(error)")
        }
    }

    public func act(in environment: any Environment, legalActions: [Int]) throws -> Action {
        if let failure { throw failure }
        steps += 1
        lastEnvironment = environment
        // One deadline for writing the observation and reading the answer: the move's.
        let deadline = Self.deadline(milliseconds: moveMilliseconds)
        try send(["type": "act", "observation": environment.lastObservation,
                  "legal_actions": .array(legalActions.map { .int(Int64($0)) }), "step": .int(Int64(steps))],
                 deadline: deadline, limit: moveMilliseconds)
        let reply = try receive(deadline: deadline, limit: moveMilliseconds)
        let action = reply["action"]
        if let i = action.intValue { return .discrete(i) }
        if let s = action.stringValue { return .text(s) }
        if let items = action.arrayValue, case let numbers = items.compactMap(\.doubleValue), numbers.count == items.count {
            return .vector(numbers)
        }
        throw fail("protocol error: expected {\"action\": ...}, got \(JSON.encode(reply))")
    }

    /// With `step` messages asked for: each step's reward for this seat (and every seat's in
    /// games), the flags and the next observation (once this agent has moved in the episode).
    /// No answer is expected; a failure to write forfeits the agent's next move.
    public func observe(_ step: Step, player: Int) {
        guard wantsSteps, failure == nil, isRunning else { return }
        var message: [String: Value] = ["type": "step", "reward": .number(step.reward(of: player)), "terminated": .bool(step.terminated),
                                        "truncated": .bool(step.truncated), "observation": lastEnvironment?.lastObservation ?? .nil]
        if step.players > 1 { message["rewards"] = .array(step.rewards.map { .number($0) }) }
        do { try send(message, deadline: Self.deadline(milliseconds: moveMilliseconds), limit: moveMilliseconds) }
        catch { failure = error as? AgentFailure ?? fail("\(error)") }
    }

    /// Sends a message that expects no answer (`save`); false when the agent is not running or stopped reading.
    @discardableResult
    public func notify(_ message: [String: Value]) -> Bool {
        guard isRunning else { return false }
        do { try send(message, deadline: Self.deadline(milliseconds: moveMilliseconds), limit: moveMilliseconds); return true } catch { return false }
    }

    public func endEpisode(return episodeReturn: Double) {
        guard failure == nil, isRunning else { return }
        // No answer is expected, but an agent that stopped reading must not hang the host here either.
        do { try send(["type": "end", "return": .number(episodeReturn)], deadline: Self.deadline(milliseconds: moveMilliseconds), limit: moveMilliseconds) }
        catch { failure = error as? AgentFailure }
    }

    // MARK: - Process and pipes

    static func deadline(milliseconds: Int) -> UInt64 {
        DispatchTime.now().uptimeNanoseconds + UInt64(max(0, milliseconds)) * 1_000_000
    }

    private static let spawnLock = NSLock()

    /// Whether the agent's process is alive (reaps it once it has exited).
    private var isRunning: Bool {
        guard pid > 0 else { return false }
        var status: Int32 = 0
        return waitpid(pid, &status, WNOHANG) == 0
    }

    /// Starts `/bin/sh -c 'exec COMMAND'` in a new process group (POSIX_SPAWN_SETPGROUP), with
    /// pipes on stdin and stdout (non-blocking on the host's side), stderr shared, and
    /// SIGPIPE back to its default.
    private func start() throws {
        stop()
        // Pipes are close-on-exec, made and spawned under one lock: a sibling agent started at
        // the same moment by another worker never inherits this agent's pipe ends.
        Self.spawnLock.lock()
        defer { Self.spawnLock.unlock() }
        var toChild: [Int32] = [-1, -1], fromChild: [Int32] = [-1, -1]
        guard pipe(&toChild) == 0 else { throw fail("cannot start: pipe failed (errno \(errno))") }
        guard pipe(&fromChild) == 0 else {
            close(toChild[0]); close(toChild[1])
            throw fail("cannot start: pipe failed (errno \(errno))")
        }
        for descriptor in toChild + fromChild { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        var attributes = posix_spawnattr_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawnattr_init(&attributes)
        defer {
            posix_spawn_file_actions_destroy(&actions)
            posix_spawnattr_destroy(&attributes)
        }
        posix_spawn_file_actions_adddup2(&actions, toChild[0], 0)
        posix_spawn_file_actions_adddup2(&actions, fromChild[1], 1)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setpgroup(&attributes, 0)  // its own group: pgid = its pid
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        let arguments = ["/bin/sh", "-c", "exec " + command]  // the program replaces the shell: it leads the group
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var child: pid_t = 0
        let status = posix_spawn(&child, "/bin/sh", &actions, &attributes, &argv, environ)
        close(toChild[0])
        close(fromChild[1])
        guard status == 0 else {
            close(toChild[1]); close(fromChild[0])
            throw fail("cannot start: posix_spawn failed (errno \(status))")
        }
        pid = child
        inputDescriptor = toChild[1]
        outputDescriptor = fromChild[0]
        for descriptor in [inputDescriptor, outputDescriptor] {
            _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
        }
        buffer.removeAll()
    }

    /// Ends the agent and everything it started (SIGKILL to its process group), reaps it and closes the pipes.
    private func stop() {
        if pid > 0 {
            kill(-pid, SIGKILL)
            kill(pid, SIGKILL)
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            pid = 0
        }
        if inputDescriptor >= 0 { close(inputDescriptor) }
        if outputDescriptor >= 0 { close(outputDescriptor) }
        inputDescriptor = -1
        outputDescriptor = -1
    }

    private func fail(_ reason: String) -> AgentFailure {
        let failure = AgentFailure(agent: name, reason: reason)
        stop()  // restarted for the next game
        return failure
    }

    /// Writes one line before `deadline` (the pipe is non-blocking: an agent that stops
    /// reading cannot block the host past the move's limit).
    private func send(_ message: [String: Value], deadline: UInt64, limit: Int = 100) throws {
        guard inputDescriptor >= 0, isRunning else { throw fail("agent is not running") }
        let line = Array((JSON.encode(.table(message)) + "\n").utf8)
        var sent = 0
        while sent < line.count {
            let written = line.withUnsafeBytes { Glibc.write(inputDescriptor, $0.baseAddress! + sent, $0.count - sent) }
            if written > 0 {
                sent += written
                continue
            }
            if written < 0 && errno == EINTR { continue }
            guard written < 0 && errno == EAGAIN else { throw fail("agent closed its input") }
            let now = DispatchTime.now().uptimeNanoseconds
            guard now < deadline else {
                throw fail("agent stopped reading its input: \(sent) of \(line.count) bytes of the message written within \(limit) ms")
            }
            var descriptor = pollfd(fd: inputDescriptor, events: Int16(POLLOUT), revents: 0)
            let ready = poll(&descriptor, 1, Int32(min((deadline - now) / 1_000_000 + 1, 1000)))
            if ready < 0 && errno != EINTR { throw fail("poll failed: \(errno)") }
            if ready > 0 && descriptor.revents & Int16(POLLERR | POLLHUP) != 0 && descriptor.revents & Int16(POLLOUT) == 0 {
                throw fail("agent closed its input")
            }
        }
    }

    /// One line of JSON before `deadline`.
    private func receive(deadline: UInt64, limit milliseconds: Int) throws -> Value {
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
