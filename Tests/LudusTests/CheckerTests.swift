import Testing
import Ludus
import LudusLua

/// The checker finds what is wrong, and says where.
@Suite struct CheckerTests {
    /// A small valid environment; each test breaks one thing in it.
    static let valid = """
    local E = {
      id = "fixture", description = "count to a target", version = "1.0.0",
      observation_space = space.box(0, 10, {2}),
      action_space = space.discrete(2),
      params = { target = { kind = "int", min = 2, max = 9, default = 5 } },
      max_steps = 20, reward_range = {0, 1},
    }
    function E.reset(self, params)
      self.target, self.count, self.steps = params.target, 0, 0
      self.noise = self.rng:int(0, 1)
      return { self.count, self.target }, {}
    end
    function E.step(self, action)
      self.steps = self.steps + 1
      self.count = self.count + action
      local done = self.count >= self.target
      return { self.count, self.target }, done and 1 or 0, done, self.steps >= 20, {}
    end
    return E
    """

    func check(_ source: String, _ options: CheckOptions = CheckOptions()) -> CheckReport {
        EnvironmentChecker(options: options).check(Package.script(source), catalog: Package.catalog)
    }

    func problems(_ report: CheckReport, in check: String) -> [CheckProblem] {
        report.problems.filter { $0.check == check }
    }

    @Test func validEnvironmentPasses() {
        let report = check(Self.valid)
        #expect(report.passed, "\(report.problems)")
        #expect(report.results.map(\.name) == ["load", "spec", "params", "game_params", "reset", "determinism", "episodes", "replay", "clone", "information", "render", "golden", "levels"])
    }

    @Test func syntaxErrorNamesFileAndLine() {
        let report = check(Self.valid.replacingOccurrences(of: "self.steps = self.steps + 1", with: "self.steps = = 1"))
        let problem = problems(report, in: "load").first
        #expect(problem?.location.hasSuffix(".lua:14") == true, "\(report.problems)")
        #expect(problem?.message.contains("syntax error") == true)
    }

    @Test func observationOutsideTheSpace() {
        let report = check(Self.valid.replacingOccurrences(of: "space.box(0, 10, {2})", with: "space.box(0, 3, {2})"))
        #expect(!problems(report, in: "episodes").isEmpty || !problems(report, in: "params").isEmpty)
        #expect(report.problems.contains { $0.message.contains("outside") })
    }

    @Test func stateOutsideSelfBreaksClone() {
        let broken = Self.valid
            .replacingOccurrences(of: "function E.step(self, action)", with: "local shared = 0\nfunction E.step(self, action)\n  shared = shared + 1")
            .replacingOccurrences(of: "self.count = self.count + action", with: "self.count = self.count + action + (shared % 3 == 0 and 1 or 0)")
        let report = check(broken)
        #expect(!problems(report, in: "clone").isEmpty, "\(report.problems)")
    }

    @Test func unseededSourceFailsReplay() {
        // Table addresses differ between VMs: a classic hidden source of randomness. Above the
        // page offset: each VM's small blocks come from its own page-aligned chunks, so the low
        // bits of two VMs' addresses are often the same.
        let broken = Self.valid.replacingOccurrences(
            of: "self.noise = self.rng:int(0, 1)",
            with: "self.target = 2 + (tonumber(tostring({}):sub(-8), 16) // 4096) % 7")
        let report = check(broken)
        #expect(!problems(report, in: "replay").isEmpty, "\(report.problems)")
    }

    @Test func episodesThatNeverEnd() {
        let broken = Self.valid.replacingOccurrences(of: "self.steps >= 20", with: "false")
            .replacingOccurrences(of: "local done = self.count >= self.target", with: "local done = false")
            .replacingOccurrences(of: "space.box(0, 10, {2})", with: "space.box(0, 1000, {2})")
        let report = check(broken)
        #expect(problems(report, in: "episodes").contains { $0.message.contains("max_steps") }, "\(report.problems)")
    }

    @Test func nonBooleanFlagsNameTheFunction() {
        let broken = Self.valid.replacingOccurrences(of: "done, self.steps >= 20, {}", with: "done, nil, {}")
        let report = check(broken)
        let problem = report.problems.first
        #expect(problem?.message.contains("terminated and truncated as booleans") == true, "\(report.problems)")
        #expect(problem?.location.contains(".lua:13") == true, "points at E.step's definition: \(String(describing: problem))")
    }

    @Test func runawayStepIsStoppedAndReported() {
        var options = CheckOptions()
        options.limits = LuaLimits(memoryBytes: 64 << 20, callMilliseconds: 50)
        let broken = Self.valid.replacingOccurrences(of: "self.steps = self.steps + 1", with: "while action == 1 do end")
        let report = check(broken, options)
        #expect(report.problems.contains { $0.message.contains("time limit") }, "\(report.problems)")
    }

    @Test func rewardOutsideRange() {
        let broken = Self.valid.replacingOccurrences(of: "done and 1 or 0", with: "done and 5 or 0")
        #expect(problems(check(broken), in: "episodes").contains { $0.message.contains("reward_range") })
    }

    @Test func badSpecsAreExplained() {
        let cases: [(String, String, String)] = [
            ("id = \"fixture\",", "", "E.id"),
            ("space.discrete(2)", "space.discrete(0)", "at least 1"),
            ("kind = \"int\", min = 2, max = 9, default = 5", "kind = \"int\", min = 2, max = 9, default = 12", "params.target.default"),
            ("kind = \"int\"", "kind = \"integer\"", "params.target.kind"),
            ("reward_range = {0, 1}", "reward_range = {1, 0}", "reward_range"),
        ]
        for (old, new, expected) in cases {
            let report = check(Self.valid.replacingOccurrences(of: old, with: new))
            #expect(report.problems.first?.message.contains(expected) == true, "\(new): \(report.problems)")
        }
    }

    @Test func parameterErrorsNameTheParameterAndRange() throws {
        let env = try Package.catalog.load(Package.script(Self.valid))
        #expect(throws: ParameterError.self) { try env.spec.parameters.parse(["target=10"], environment: "fixture") }
        // Each must throw: a parse that succeeds fails the test.
        #expect {
            _ = try env.spec.parameters.parse(["target=10"], environment: "fixture")
        } throws: { error in
            "\(error)" == "fixture: parameter 'target': 10 is outside [2, 9]; expected integer in [2, 9]"
        }
        #expect {
            _ = try env.spec.parameters.parse(["size=3"], environment: "fixture")
        } throws: { error in
            "\(error)".contains("unknown parameter (known: target)")
        }
        #expect(try env.spec.parameters.parse(["target=7"], environment: "fixture")["target"] == .int(7))
    }

    @Test func junitReportListsEveryCheck() {
        let report = check(Self.valid.replacingOccurrences(of: "done and 1 or 0", with: "done and 5 or 0"))
        let xml = JUnitReport.xml([report])
        #expect(xml.contains("<testsuite name=\"fixture\" tests=\"13\" failures=\"1\""))
        #expect(xml.contains("<failure message="))
    }
}
