import Foundation
import Testing
import Ludus
import LudusLua

/// The scripted OpenAI-compatible server of `bench/fake_openai.py`, on a free port.
final class FakeServer {
    let process = Process()
    let port: Int
    let portFile: String

    init(_ script: [String] = []) throws {
        portFile = FileManager.default.temporaryDirectory.appendingPathComponent("fake-\(UUID().uuidString).port").path
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Package.root.appendingPathComponent("bench/fake_openai.py").path, portFile, script.joined(separator: ",")]
        try process.run()
        var found: Int?
        for _ in 0..<500 {
            if let text = try? String(contentsOfFile: portFile, encoding: .utf8), let p = Int(text) { found = p; break }
            usleep(10_000)
        }
        guard let found else { process.terminate(); throw SetupError.badSpec("the fake server did not start") }
        port = found
    }

    /// SIGKILL by pid (Foundation reaps it): `waitUntilExit` can block forever inside a test run.
    func stop() { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

    deinit { stop() }

    func spec(_ options: String = "") -> String { "llm:fake@http://127.0.0.1:\(port)/v1" + (options.isEmpty ? "" : "?" + options) }
    var requests: [String] { ((try? String(contentsOfFile: portFile + ".requests", encoding: .utf8)) ?? "").split(separator: "\n").map(String.init) }
}

@Suite struct LLMParsingTests {
    @Test func discreteAnswers() {
        func parse(_ text: String, _ format: LLMOptions.AnswerFormat = .auto) -> Action? {
            try? AnswerParser.action(from: text, space: .discrete(n: 5, start: 0), legal: [1, 2, 3], format: format).get()
        }
        #expect(parse(#"{"action": 2}"#) == .discrete(2))
        #expect(parse(#"Sure! {"action": "3"} is my move"#) == .discrete(3))
        #expect(parse(#"I pick \boxed{1}."#) == .discrete(1))
        #expect(parse("thinking...\nfinal: 3") == .discrete(3))
        #expect(parse(#"{"action": 4}"#) == nil)  // illegal
        #expect(parse("no idea") == nil)
        #expect(parse(#"\boxed{2}"#, .json) == nil)  // json only
        let failure = AnswerParser.action(from: "no idea", space: .discrete(n: 5, start: 0), legal: [1], format: .auto)
        if case .failure(let f) = failure { #expect(f.reason.contains("no idea")) } else { Issue.record("expected a failure") }
    }

    @Test func textAnswers() {
        func parse(_ text: String, _ format: LLMOptions.AnswerFormat) -> Action? {
            try? AnswerParser.action(from: text, space: .text(maxLength: 12, minLength: 0), legal: [], format: format).get()
        }
        #expect(parse("  3 + 4 \n", .raw) == .text("3 + 4"))
        #expect(parse(#"so \boxed{\frac{1}{2}} it is"#, .auto) == .text(#"\frac{1}{2}"#))
        #expect(parse("line one\nanswer two\n\n", .lastLine) == .text("answer two"))
        #expect(parse(String(repeating: "x", count: 50), .raw) == .text(String(repeating: "x", count: 12)))
    }

    @Test func passAtKAndIntervals() {
        #expect(EvalSummary.passAtK(n: 5, c: 0, k: 1) == 0)
        #expect(EvalSummary.passAtK(n: 5, c: 5, k: 1) == 1)
        #expect(abs(EvalSummary.passAtK(n: 5, c: 1, k: 1) - 0.2) < 1e-12)
        #expect(EvalSummary.passAtK(n: 5, c: 1, k: 5) == 1)
        #expect(abs(EvalSummary.passAtK(n: 5, c: 2, k: 2) - 0.7) < 1e-12)
        let none = EvalSummary.wilson(0, 200)
        #expect(none.lowerBound == 0 && abs(none.upperBound - 0.0188) < 1e-3)
        let half = EvalSummary.wilson(50, 100)
        #expect(abs(half.lowerBound - 0.4038) < 1e-3 && abs(half.upperBound - 0.5962) < 1e-3)
    }

    @Test func specs() throws {
        let o = try LLMOptions(spec: "org/model@1.2@http://localhost:8080/v1/?temperature=0.7&max_tokens=12&seed=3&system=Be+brief&answer=boxed&retries=0")
        #expect(o.model == "org/model@1.2")
        #expect(o.baseURL == "http://localhost:8080/v1")
        #expect(o.temperature == 0.7 && o.maxTokens == 12 && o.seed == 3 && o.systemPrompt == "Be brief" && o.answer == .boxed && o.retries == 0)
        #expect(throws: SetupError.self) { try LLMOptions(spec: "model-without-url") }
        #expect(throws: SetupError.self) { try LLMOptions(spec: "m@http://h/v1?temperature=9") }
        #expect(throws: SetupError.self) { try LLMOptions(spec: "m@http://h/v1?bogus=1") }
        do {
            _ = try LLMOptions(spec: "m@http://h/v1?api_key=sk-123")
            Issue.record("a key on the command line must be refused")
        } catch { #expect("\(error)".contains("key_env")) }
        #expect(LLMOptions.configIdentity("llm:m@http://127.0.0.1:9/v1?temperature=0.5&retries=1")
                == LLMOptions.configIdentity("llm:m@http://10.0.0.1/v1?temperature=0.5&timeout=9"))
        #expect(LLMOptions.configIdentity("llm:m@http://h/v1?temperature=0.5") != LLMOptions.configIdentity("llm:m@http://h/v1"))
        #expect(LLMOptions.configIdentity("random") == "random")
        let keyed = try LLMOptions(spec: "m@http://h/v1?key_env=LUDUS_TEST_UNSET_KEY_VARIABLE")
        #expect(throws: LLMError.missingKey("LUDUS_TEST_UNSET_KEY_VARIABLE")) { try ChatClient(options: keyed) }
    }
}

@Suite(.serialized) struct LLMServerTests {
    func body(_ legal: [Int] = [0, 1]) -> String {
        #"{"model":"fake","messages":[{"role":"user","content":"hi"}],"seed":1,"response_format":{"type":"json_schema","schema":{"properties":{"action":{"enum":["# + legal.map(String.init).joined(separator: ",") + "]}}}}}"
    }

    @Test func retriesServerErrorsThenAnswers() throws {
        let server = try FakeServer(["500", "429", "500"])
        let client = try ChatClient(options: try LLMOptions(spec: server.spec("retries=3&backoff=0.01").dropFirst(4).description))
        let answer = try client.complete(body: body())
        #expect(answer.content == #"{"action": 1}"#)
        #expect(server.requests.count == 4)
    }

    @Test func givesUpWithClearErrors() throws {
        let server = try FakeServer(["500", "500", "garbage"])
        let client = try ChatClient(options: try LLMOptions(spec: server.spec("retries=1&backoff=0.01").dropFirst(4).description))
        #expect(throws: LLMError.http(url: "http://127.0.0.1:\(server.port)/v1/chat/completions", status: 500, body: #"{"error": "scripted"}"#, attempts: 2)) {
            try client.complete(body: body())
        }
        do { _ = try client.complete(body: body()); Issue.record("garbage must fail") } catch { #expect("\(error)".contains("not a chat completion")) }
        let dead = try ChatClient(options: try LLMOptions(spec: "m@http://127.0.0.1:1/v1?retries=1&backoff=0.01"))
        do { _ = try dead.complete(body: body()); Issue.record("a dead server must fail") } catch {
            #expect("\(error)".contains("unreachable") && "\(error)".contains("2 attempt"))
        }
    }

    @Test func hungServerIsATimeout() throws {
        let server = try FakeServer(["hang"])
        let client = try ChatClient(options: try LLMOptions(spec: server.spec("retries=0&timeout=0.5").dropFirst(4).description))
        #expect(throws: LLMError.timeout(url: "http://127.0.0.1:\(server.port)/v1/chat/completions", seconds: 0.5, attempts: 1)) {
            try client.complete(body: body())
        }
    }

    /// Episodes of corridor through the fake server: the same results at 1 and 4 in flight,
    /// transcripts stored, and a cache-only replay (no server) with the same hash.
    @Test func evalIsDeterministicAndReplays() throws {
        let server = try FakeServer()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("llm-\(UUID().uuidString).sqlite").path
        let store = try ResultStore(path: path)
        func evaluate(_ spec: String, concurrency: Int, cache: LLMSession.CacheMode, run: String, count: Int = 12) throws -> EvalSummary {
            let session = LLMSession()
            try session.attach(store: store, run: run, cache: cache)
            var episodes: [EvalEpisode] = []
            let loop = EvalLoop(count: count, samples: 2, seed: 7, params: [:], vary: ("length", [.int(4), .int(6)]),
                                makeEnvironment: { try Package.catalog.load("corridor") },
                                makeAgent: { _ in LLMAgent(options: try LLMOptions(spec: String(spec.dropFirst(4))), session: session) })
            try loop.run(concurrency: concurrency) { episodes.append($0)}
            try session.flush()
            return EvalSummary(episodes, samples: 2)
        }
        let one = try evaluate(server.spec(), concurrency: 1, cache: .off, run: "a")
        let four = try evaluate(server.spec(), concurrency: 4, cache: .off, run: "b")
        #expect(one.resultHash == four.resultHash)
        #expect(one.lines.map(\.group) == ["length=4", "length=6", "all"])
        #expect(one.lines.last!.failures == 0)
        let replay = try evaluate("llm:fake@http://127.0.0.1:1/v1", concurrency: 3, cache: .only, run: "c")
        #expect(replay.resultHash == one.resultHash)
        #expect(try store.transcriptCount(run: "c").cached == store.transcriptCount(run: "c").total)
        #expect(try store.transcriptCount(run: "a").total > 24)
        let prose = try FakeServer(["prose"])
        let failing = try evaluate(prose.spec(), concurrency: 1, cache: .off, run: "d", count: 1)
        #expect(failing.lines.last!.failures == 1)  // the unparsable answer is a forfeit, not a crash
        #expect(failing.lines.last!.episodes == 2)
    }
}

@Suite struct ExternalStudentTests {
    /// The Python Q-learner of examples/agents, taught by the random teacher through `step`
    /// messages, masters corridor's held-out tasks far better than its untrained self.
    @Test func pythonLearnerImprovesOnCorridor() throws {
        let environment = try Package.catalog.load("corridor")
        let student = ExternalStudent(command: "python3 " + Package.root.appendingPathComponent("examples/agents/q_learner.py").path,
                                      environment: environment.spec)
        let space = try environment.spec.parameters.restricted(varying: ["length": 10...16], fixed: ["slip"])
        let loop = try TeachLoop(environment: environment, teacher: RandomTeacher(space: space), student: student)
        loop.space = space
        loop.fixedParams = ["slip": .number(0)]
        loop.testSetSize = 20
        loop.evaluateEvery = 400
        let evaluations = try loop.run(episodes: 400, seed: 1)
        #expect(evaluations.count == 2)
        #expect(evaluations[1].mastered >= 0.7)
        #expect(evaluations[1].mastered >= evaluations[0].mastered + 0.3)
        #expect(throws: CheckpointError.self) { try student.restore(from: student.checkpoint()) }
    }
}

@Suite(.serialized) struct LLMCriticTests {
    /// An LLM critic through the scripted server: rounds run end to end; the server dies after
    /// round 1 (the run stops with the server's error), and resuming from the last checkpoint
    /// on a new server gives the rounds of an uninterrupted run.
    @Test func llmCriticStopsWhenItsServerDiesAndResumes() throws {
        func loop(_ server: FakeServer) throws -> CriticLoop {
            let loop = try CriticLoop(environment: try Package.catalog.load("countdown/critic"),
                                      params: try Package.catalog.load("countdown/critic").spec.parameters.defaults)
            loop.gamesPerRound = 12
            loop.heldOutSize = 10
            loop.criticAgent = LLMAgent(options: try LLMOptions(spec: String(server.spec("retries=0").dropFirst(4))), session: LLMSession())
            return loop
        }
        let server = try FakeServer()
        var whole: [CriticRound] = []
        try loop(server).run(rounds: 3, seed: 4) { whole.append($0) }
        #expect(whole.map(\.round) == [0, 1, 2, 3])
        #expect(whole.allSatisfy { $0.answerFailures == 0 && $0.generatorPolicy.count == 5 })

        let dying = try FakeServer()
        let first = try loop(dying)
        var rounds: [CriticRound] = []
        var saved: CriticLoop.Checkpoint?
        first.onCheckpoint = { saved = $0 }
        do {
            try first.run(rounds: 3, seed: 4) { round in
                rounds.append(round)
                if round.round == 1 { dying.stop() }
            }
            Issue.record("the run must stop when its server dies")
        } catch let error as EpisodeError {
            #expect("\(error)".contains("unreachable"))
        }
        #expect(saved?.round == 1)
        let again = try FakeServer()
        try loop(again).run(rounds: 3, seed: 4, from: saved) { rounds.append($0) }
        #expect(rounds == whole)
    }
}
