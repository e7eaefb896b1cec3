import Foundation
import LudusLua

/// Settings of a conformance check.
public struct CheckOptions: Sendable {
    /// Random episodes played by the `episodes` check.
    public var episodes = 10
    public var seed: UInt64 = 0
    public var limits = LuaLimits.default
    /// Folder of golden playthroughs (`Tests/Golden`); nil skips the golden check.
    public var goldenDirectory: String?
    /// Write golden files instead of comparing with them.
    public var recordGolden = false
    /// The host's cap on an episode when the script declares no `max_steps`.
    public var stepCapWithoutMaxSteps = 10_000

    public init() {}
}

/// The conformance checker: what Gymnasium's `env_checker` checks that applies,
/// plus parameter ranges, clone, replay across VMs, legal actions and golden playthroughs.
///
/// Each check is independent: a failing check reports one line per problem and
/// the others still run. Script errors (including limits and violations) become
/// problems that name `file:line`.
public struct EnvironmentChecker {
    public var options: CheckOptions

    public init(options: CheckOptions = CheckOptions()) { self.options = options }

    /// Runs every check on one script.
    public func check(_ script: ScriptLocation, catalog: EnvironmentCatalog) -> CheckReport {
        var context = CheckContext(script: script, catalog: catalog, options: options)
        var results: [CheckResult] = []
        let loaded = context.run("load") { context throws(CheckFailure) in
            context.environment = try context.fresh()
        }
        results.append(loaded)
        guard loaded.passed, let environment = context.environment else {
            return CheckReport(name: script.displayName, file: script.displayName, results: results)
        }
        let checks: [(String, (inout CheckContext) throws(CheckFailure) -> Void)] = [
            ("spec", { c throws(CheckFailure) in try c.checkSpec() }),
            ("params", { c throws(CheckFailure) in try c.checkParams() }),
            ("game_params", { c throws(CheckFailure) in try c.checkGameParams() }),
            ("reset", { c throws(CheckFailure) in try c.checkReset() }),
            ("determinism", { c throws(CheckFailure) in try c.checkDeterminism() }),
            ("episodes", { c throws(CheckFailure) in try c.checkEpisodes() }),
            ("replay", { c throws(CheckFailure) in try c.checkReplay() }),
            ("clone", { c throws(CheckFailure) in try c.checkClone() }),
            ("information", { c throws(CheckFailure) in try c.checkInformation() }),
            ("render", { c throws(CheckFailure) in try c.checkRender() }),
            ("golden", { c throws(CheckFailure) in try c.checkGolden() }),
            ("levels", { c throws(CheckFailure) in try c.checkLevels() }),
        ]
        for (name, body) in checks {
            results.append(context.run(name, body))
        }
        return CheckReport(name: environment.spec.name, file: script.displayName, results: results)
    }
}

/// Ends a check early: a problem that makes the rest of the check meaningless.
struct CheckFailure: Error {
    var location: String?
    var message: String
    var skip: String?

    static func skip(_ reason: String) -> CheckFailure { CheckFailure(location: nil, message: "", skip: reason) }
}

/// State shared by the checks of one script.
struct CheckContext {
    let script: ScriptLocation
    let catalog: EnvironmentCatalog
    let options: CheckOptions
    var environment: LuaEnvironment?
    var problems: [CheckProblem] = []
    var currentCheck = ""

    init(script: ScriptLocation, catalog: EnvironmentCatalog, options: CheckOptions) {
        self.script = script
        self.catalog = catalog
        self.options = options
    }

    var env: LuaEnvironment { environment! }
    var spec: EnvironmentSpec { env.spec }

    /// A new instance in a new VM.
    func fresh() throws(CheckFailure) -> LuaEnvironment {
        do { return try catalog.load(script, limits: options.limits) } catch { throw failure(error) }
    }

    func failure(_ error: EnvironmentError) -> CheckFailure {
        switch error {
        case .script(let lua, _): return CheckFailure(location: lua.location?.description, message: "\(lua)")
        case .spec(let spec, _): return CheckFailure(location: spec.location?.description, message: spec.message)
        case .contract(let violation):
            return CheckFailure(location: violation.location?.description, message: "E.\(violation.function) \(violation.message)")
        default: return CheckFailure(location: nil, message: error.description)
        }
    }

    mutating func problem(_ message: String, at location: String? = nil) {
        problems.append(CheckProblem(check: currentCheck, location: location ?? script.displayName, message: message))
    }

    mutating func run(_ name: String, _ body: (inout CheckContext) throws(CheckFailure) -> Void) -> CheckResult {
        currentCheck = name
        problems = []
        let start = DispatchTime.now().uptimeNanoseconds
        var skipped: String? = nil
        do {
            try body(&self)
        } catch {
            if let reason = error.skip { skipped = reason } else { problem(error.message, at: error.location) }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return CheckResult(name: name, problems: problems, skipped: skipped, seconds: seconds)
    }

    /// Runs environment calls, turning errors into a check failure.
    func attempt<T>(_ body: () throws(EnvironmentError) -> T) throws(CheckFailure) -> T {
        do { return try body() } catch { throw failure(error) }
    }

    func seed(_ index: Int) -> UInt64 { SeededGenerator.derive(options.seed, UInt64(index)) }
}
