import Foundation
import GRDB
import Testing
@testable import Ludus
import LudusLua

/// Issue 13 (hardening): each hostile input ends with its own clear error while the host goes on.
/// Real processes, real files, real SQLite.
@Suite struct AgentHardeningTests {
    static func folder() -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ludus-hardening-\(UUID().uuidString)").path
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// A one-player environment whose observation is a 100 KB text: more than a pipe holds.
    static let bigObservation = Package.script("""
        local E = { id = "big_observation", description = "A 100 KB text observation.", version = "1.0.0", players = 1, max_steps = 5,
                    observation_space = space.text(200000), action_space = space.discrete(2) }
        local BIG = string.rep("a", 100000)
        function E.reset(self, params) return BIG, {} end
        function E.step(self, action) return BIG, 0, false, false, {} end
        return E
        """, name: "big_observation")

    static func forfeitReason(_ result: EpisodeResult) -> String? {
        if case .forfeit(_, let reason) = result.outcome { return reason }
        return nil
    }

    // MARK: 7. an exec: agent that stops reading

    @Test func execAgentThatStopsReadingForfeitsWithinTheMoveTime() throws {
        let environment = try Package.catalog.load(Self.bigObservation)
        // Answers `start`, then never reads again: the 100 KB `act` line fills the pipe.
        let agent = ExternalAgent(command: #"sh -c 'read line; echo "{\"type\":\"ready\"}"; exec sleep 1000'"#,
                                  environment: environment.spec, moveMilliseconds: 300)
        let start = Date()
        let result = try EpisodeDriver(environment: environment).play(seed: 1, params: [:], agents: [agent])
        let seconds = Date().timeIntervalSince(start)
        let reason = try #require(Self.forfeitReason(result))
        #expect(reason.hasPrefix("agent stopped reading its input"), "\(reason)")
        #expect(reason.contains("within 300 ms"))
        #expect(seconds < 3, "the write must respect --move-time, took \(seconds) s")
    }

    // MARK: 8. children of exec: agents

    static func isGone(_ pid: pid_t) -> Bool {
        if kill(pid, 0) != 0 { return errno == ESRCH }
        // A killed child not yet reaped by its new parent is a zombie: dead.
        let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        return stat.split(separator: ")").last?.trimmingCharacters(in: .whitespaces).hasPrefix("Z") ?? true
    }

    static func waitGone(_ pid: pid_t) -> Bool {
        for _ in 0..<100 {
            if isGone(pid) { return true }
            usleep(20_000)
        }
        return false
    }

    static func childPid(_ file: String) throws -> pid_t {
        for _ in 0..<200 {
            if let text = try? String(contentsOfFile: file, encoding: .utf8), let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                return pid
            }
            usleep(10_000)
        }
        throw AgentFailure(agent: "test", reason: "the agent never wrote its child's pid to \(file)")
    }

    @Test func childrenOfAForfeitedExecAgentAreKilled() throws {
        let folder = Self.folder()
        let pidFile = folder + "/child.pid"
        let environment = try Package.catalog.load("tic_tac_toe")
        // Starts a grandchild, answers `start`, then hangs on its first move.
        let agent = ExternalAgent(command: "sh -c 'sleep 1000 & echo $! > \(pidFile); read line; echo \"{\\\"type\\\":\\\"ready\\\"}\"; exec sleep 1000'",
                                  environment: environment.spec, moveMilliseconds: 300)
        let result = try EpisodeDriver(environment: environment).play(seed: 2, params: [:], agents: [agent, RandomAgent(actionSpace: environment.spec.actionSpace)])
        let reason = try #require(Self.forfeitReason(result))
        #expect(reason == "no answer within 300 ms")
        let child = try Self.childPid(pidFile)
        #expect(Self.waitGone(child), "the agent's child \(child) outlived the forfeit")
    }

    @Test func childrenOfAnExecAgentAreKilledAtTeardown() throws {
        let folder = Self.folder()
        let pidFile = folder + "/child.pid"
        let environment = try Package.catalog.load("tic_tac_toe")
        var agent: ExternalAgent? = ExternalAgent(
            command: "sh -c 'sleep 1000 & echo $! > \(pidFile); while read line; do case \"$line\" in *start*) echo \"{\\\"type\\\":\\\"ready\\\"}\";; esac; done; sleep 1000'",
            environment: environment.spec, moveMilliseconds: 300)
        agent!.beginEpisode(seed: 1, player: 1)
        let child = try Self.childPid(pidFile)
        #expect(!Self.isGone(child))
        agent = nil  // deinit: quit, then the whole process group is killed
        #expect(Self.waitGone(child), "the agent's child \(child) outlived the agent")
    }

    // MARK: 9. error labels of Lua agents

    static func luaAgent(_ source: String, limits: LuaLimits) throws -> LuaAgent {
        let path = Self.folder() + "/agent.lua"
        try source.write(toFile: path, atomically: true, encoding: .utf8)
        return try LuaAgent(path: path, limits: limits)
    }

    @Test func aHugeErrorMessageIsCutAndKeepsItsKind() throws {
        let environment = try Package.catalog.load("tic_tac_toe")
        let agent = try Self.luaAgent("""
            return { act = function(self, obs, legal)
              error(setmetatable({}, { __tostring = function() return string.rep("x", 20 * 1024 * 1024) end }))
            end }
            """, limits: LuaLimits(memoryBytes: 256 << 20, callMilliseconds: 2000))
        let start = Date()
        let result = try EpisodeDriver(environment: environment).play(seed: 3, params: [:], agents: [agent, RandomAgent(actionSpace: environment.spec.actionSpace)])
        let reason = try #require(Self.forfeitReason(result))
        #expect(reason.hasPrefix("script error:"), "\(reason.prefix(100))")
        #expect(reason.utf8.count <= LuaAgent.maxReasonLength + 100, "a forfeit reason of \(reason.utf8.count) bytes")
        #expect(Date().timeIntervalSince(start) < 5)
    }

    // MARK: 10. render --out x.png must not draw local files

    static let hostileSVG = """
        <?xml version="1.0"?>
        <!DOCTYPE svg [ <!ENTITY secret SYSTEM "secret.txt"> ]>
        <svg xmlns="http://www.w3.org/2000/svg" xmlns:xi="http://www.w3.org/2001/XInclude" xmlns:xlink="http://www.w3.org/1999/xlink" width="400" height="60">
        <rect width="400" height="60" fill="white"/>
        <text x="5" y="30" font-size="14"><xi:include href="secret.txt" parse="text"/></text>
        <image x="0" y="0" width="10" height="10" xlink:href="secret.png"/>
        <rect width="5" height="5" fill="url(#g)"/>
        </svg>
        """

    @Test func renderingAnSVGNeverDrawsFilesBesideTheOutput() throws {
        let folder = Self.folder()
        let secret = folder + "/secret.txt"
        let out = folder + "/x.png"
        // The attack works against a plain conversion beside the output (as before the fix)...
        try "TOPSECRET-1234 line of text to draw".write(toFile: secret, atomically: true, encoding: .utf8)
        let plain = folder + "/plain.svg"
        try Self.hostileSVG.replacingOccurrences(of: "<!DOCTYPE svg [ <!ENTITY secret SYSTEM \"secret.txt\"> ]>", with: "")
            .write(toFile: plain, atomically: true, encoding: .utf8)
        func rsvg(_ input: String, _ output: String) throws {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["rsvg-convert", input, "-o", output]
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
        }
        try rsvg(plain, folder + "/with-secret.png")
        try FileManager.default.removeItem(atPath: secret)
        try rsvg(plain, folder + "/without-secret.png")
        #expect(FileManager.default.contents(atPath: folder + "/with-secret.png") != FileManager.default.contents(atPath: folder + "/without-secret.png"),
                "rsvg-convert did not follow the XInclude: this test would prove nothing")
        // ...but not through PNGConverter: the picture is the same whether the secret exists or not.
        try "TOPSECRET-1234 line of text to draw".write(toFile: secret, atomically: true, encoding: .utf8)
        try PNGConverter.convert(svg: Self.hostileSVG, to: out)
        let withSecret = try #require(FileManager.default.contents(atPath: out))
        try FileManager.default.removeItem(atPath: secret)
        try PNGConverter.convert(svg: Self.hostileSVG, to: out)
        let withoutSecret = try #require(FileManager.default.contents(atPath: out))
        #expect(withSecret == withoutSecret)
        #expect(!String(decoding: withSecret, as: UTF8.self).contains("TOPSECRET"))
        // Nothing is left beside the output.
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
                == ["plain.svg", "with-secret.png", "without-secret.png", "x.png"])
    }

    @Test func theSanitizerRemovesExternalReferences() {
        let clean = SVGSanitizer.sanitize(Self.hostileSVG + ##"<style>@import url(file:///etc/passwd); rect { fill: url(/x.svg#a) }</style><a href="#ok"/><image href="data:image/png;base64,AAAA"/><image href="data:image/svg+xml;base64,AAAA"/><foo:include xmlns:foo="http://www.w3.org/2001/XInclude" href="/etc/passwd"></foo:include>"##)
        for bad in ["include", "DOCTYPE", "ENTITY", "secret.txt", "secret.png", "@import", "/etc/passwd", "/x.svg", "svg+xml"] {
            #expect(!clean.contains(bad), "\(bad) survived: \(clean)")
        }
        for kept in ["url(#g)", ##"href="#ok""##, "data:image/png;base64,AAAA", "<rect width=\"400\""] {
            #expect(clean.contains(kept), "\(kept) was removed: \(clean)")
        }
    }

    // MARK: 11. tournament config files get the CLI's checks

    static func configError(_ json: String) -> String? {
        do {
            _ = try TournamentConfig.decode(Data(json.utf8), file: "t.json")
            return nil
        } catch {
            return error.message
        }
    }

    @Test func configFilesAreCheckedLikeFlags() {
        let base = #""environment": "tic_tac_toe", "agents": ["random", "mcts:5"]"#
        let cases: [(String, String)] = [
            (#""moveMilliseconds": -1"#, "moveMilliseconds (--move-time) must be from 1 to 3600000, not -1"),
            (#""callMilliseconds": -1"#, "callMilliseconds (--time-limit) must be from 0 to 3600000, not -1"),
            (#""memoryMiB": -1"#, "memoryMiB (--memory-limit) must be from 1 to 65536, not -1"),
            (#""gamesPerPair": 9223372036854775000"#, "gamesPerPair (--games) must be from 1 to 1000000, not 9223372036854775000"),
            (#""gamesPerPair": 1000000, "agents": ["random", "mcts:5", "random", "random", "random", "random"]"#, "plans more than 10000000 games"),
            (#""seed": -1"#, "seed must be an integer from 0 to 18446744073709551615, not -1.0"),
            (#""seed": 1.5"#, "seed must be an integer from 0 to 18446744073709551615, not 1.5"),
        ]
        for (extra, message) in cases {
            let json = extra.contains("\"agents\"") ? #"{"environment": "tic_tac_toe", "# + extra + "}" : "{" + base + ", " + extra + "}"
            let error = Self.configError(json)
            #expect(error?.contains(message) == true, "\(extra): \(error ?? "accepted")")
            #expect(error?.hasPrefix("t.json: ") == true)
            #expect(error?.contains("not valid JSON") == false)
        }
        #expect(Self.configError("{" + base + "}") == nil)
        #expect(Self.configError("{" + base)?.hasPrefix("t.json: not valid JSON") == true)
        // The same path for flags: a config built in code is refused by the runner before anything runs.
        let huge = TournamentConfig(environment: "tic_tac_toe", agents: ["random", "random"], gamesPerPair: Int.max, seed: 0)
        #expect(huge.problem == "gamesPerPair (--games) must be from 1 to 1000000, not \(Int.max)")
        let noLimit = TournamentConfig(environment: "tic_tac_toe", agents: ["random", "random"], gamesPerPair: 1, seed: 0, callMilliseconds: -1)
        #expect(throws: TournamentConfigError.self) {
            try TournamentRunner(config: noLimit, catalog: Package.catalog, store: ResultStore(path: Self.folder() + "/t.sqlite")).run(workers: 1, resume: false)
        }
    }

    // MARK: 12. crafted student files

    @Test func aCraftedParameterCountIsRefused() throws {
        let path = Self.folder() + "/student.ppo"
        var data = Data("ludus-learner 1\n{\"parameter_count\":2305843009213693952,\"student\":\"ppo\",\"settings\":{}}\n".utf8)
        data.append(Data(repeating: 0, count: 16))
        try data.write(to: URL(fileURLWithPath: path))
        let environment = try Package.catalog.load("tic_tac_toe")
        do {
            _ = try AgentFactory.make("ppo:" + path, for: environment.spec)
            Issue.record("a crafted parameter_count was loaded")
        } catch {
            #expect("\(error)".contains("\(path): field parameter_count says 2305843009213693952 parameters, the file holds 2"), "\(error)")
        }
    }

    @Test func aQTableWithNonFiniteValuesOrHugeStatesIsRefused() throws {
        let environment = try Package.catalog.load("tic_tac_toe")
        let folder = Self.folder()
        let cases = [
            ("12:0,0,0,0,0,0,0,0,nan", "line 2: state 12, action 8: value 'nan' is not a finite number"),
            ("12:0,0,0,0,inf,0,0,0,0", "line 2: state 12, action 4: value 'inf' is not a finite number"),
            ("12345678901234567890123:0,0,0,0,0,0,0,0,0", "line 2: state id '12345678901234567890123' is not an integer from 0 to 18446744073709551615"),
            ("12:0,0", "line 2: state 12 has 2 values, expected 9"),
        ]
        for (index, (row, message)) in cases.enumerated() {
            let path = folder + "/q\(index).q"
            try "ludus-q 1 9 0\n\(row)\n".write(toFile: path, atomically: true, encoding: .utf8)
            do {
                _ = try AgentFactory.make("q:" + path, for: environment.spec)
                Issue.record("\(row) was loaded")
            } catch {
                #expect("\(error)".contains("\(path): \(message)"), "\(error)")
            }
        }
        let good = folder + "/good.q"
        try "ludus-q 1 9 0\n12:0,0,0,0,0.5,0,0,0,0\n".write(toFile: good, atomically: true, encoding: .utf8)
        _ = try AgentFactory.make("q:" + good, for: environment.spec)
    }

    // MARK: 14. databases

    @Test func twoStoresCreatingOneNewDatabaseAtOnceBothSucceed() throws {
        for round in 0..<8 {
            let path = Self.folder() + "/new\(round).sqlite"
            let errors = NSLock()
            nonisolated(unsafe) var failures: [String] = []
            DispatchQueue.concurrentPerform(iterations: 3) { _ in
                do { _ = try ResultStore(path: path) } catch { errors.withLock { failures.append("\(error)") } }
            }
            #expect(failures.isEmpty, "\(failures)")
        }
    }

    @Test func twoResumesOfOneTournamentAtOnceBothFinish() throws {
        let path = Self.folder() + "/resume.sqlite"
        // Slow enough (MCTS) that the two runs overlap and play the same games.
        let config = TournamentConfig(environment: "tic_tac_toe", agents: ["mcts:20", "mcts:30", "random"], gamesPerPair: 40, seed: 5)
        let first = TournamentRunner(config: config, catalog: Package.catalog, store: try ResultStore(path: path))
        first.stopAfter = 3
        try first.run(workers: 1, resume: false)
        let errors = NSLock()
        nonisolated(unsafe) var failures: [String] = []
        DispatchQueue.concurrentPerform(iterations: 2) { _ in
            do {
                try TournamentRunner(config: config, catalog: Package.catalog, store: try ResultStore(path: path)).run(workers: 1, resume: true)
            } catch { errors.withLock { failures.append("\(error)") } }
        }
        #expect(failures.isEmpty, "\(failures)")
        let store = try ResultStore(path: path, readOnly: true)
        let tournament = try #require(try store.latestTournament())
        #expect(try store.finishedGames(tournament.id) == Set(0..<config.plannedGames))
    }

    @Test func aForeignDatabaseIsRefusedUntouched() throws {
        let path = Self.folder() + "/x.db"
        let sqlite = Process()
        sqlite.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        sqlite.arguments = ["sqlite3", path, "create table foo(a)"]
        try sqlite.run()
        sqlite.waitUntilExit()
        #expect(sqlite.terminationStatus == 0)
        let before = try #require(FileManager.default.contents(atPath: path))
        for readOnly in [false, true] {
            do {
                _ = try ResultStore(path: path, readOnly: readOnly)
                Issue.record("a foreign database was opened (readOnly: \(readOnly))")
            } catch {
                #expect("\(error)" == "\(path) is not a Ludus database (it has tables foo, not Ludus's tournament and grdb_migrations); it was left unchanged")
            }
        }
        #expect(FileManager.default.contents(atPath: path) == before)
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
        let journal = try DatabaseQueue(path: path, configuration: { var c = Configuration(); c.readonly = true; return c }())
            .read { try String.fetchOne($0, sql: "PRAGMA journal_mode") }
        #expect(journal == "delete")
    }

    @Test func ratingsOpenADatabaseReadOnly() throws {
        let path = Self.folder() + "/ratings.sqlite"
        let config = TournamentConfig(environment: "tic_tac_toe", agents: ["random", "random"], gamesPerPair: 2, seed: 1)
        try TournamentRunner(config: config, catalog: Package.catalog, store: try ResultStore(path: path)).run(workers: 1, resume: false)
        try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: path)
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path) }
        let store = try ResultStore(path: path, readOnly: true)
        let tournament = try #require(try store.latestTournament())
        #expect(try store.games(tournament.id).count == 2)
        #expect(throws: (any Error).self) { _ = try store.startCriticRun(environment: "x", config: "", errorTypes: []) }
    }
}
