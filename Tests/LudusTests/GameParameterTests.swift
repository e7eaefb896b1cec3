import Foundation
import Testing
import Ludus
import LudusLua

/// Game parameters, fixed at load and given with the name: `kuhn_poker(players=3)`.
@Suite struct GameParameterTests {
    @Test func namesParseAsOpenSpielWritesThem() throws {
        let name = try GameName(parsing: "kuhn_poker(players=3, deck = large,fast=true,p=0.5)")
        #expect(name.base == "kuhn_poker")
        #expect(name.given.map(\.name) == ["players", "deck", "fast", "p"])
        #expect(name.given.map(\.value) == [.int(3), .string("large"), .bool(true), .number(0.5)])
        #expect(name.description == "kuhn_poker(players=3,deck=large,fast=true,p=0.5)")
        #expect(try GameName(parsing: "gridworld/empty").given.isEmpty)
        #expect(try GameName(parsing: "kuhn_poker()").given.isEmpty)
        #expect(try GameName(parsing: "dir(1)/game.lua").base == "dir(1)/game.lua", "a path ending in .lua is a path")
        for bad in ["kuhn_poker(players=3", "kuhn_poker(players)", "kuhn_poker(players=2,players=3)", "(players=3)", "kuhn_poker)"] {
            #expect(throws: ParameterError.self, "\(bad)") { try GameName(parsing: bad) }
        }
    }

    @Test(arguments: [2, 3, 4])
    func kuhnPokerTakesItsPlayersAsAGameParameter(_ players: Int) throws {
        let environment = try Package.catalog.load("kuhn_poker(players=\(players))")
        #expect(environment.spec.players == players)
        #expect(environment.spec.gameParams == ["players": .int(Int64(players))])
        #expect(environment.spec.name == "kuhn_poker(players=\(players))")
        #expect(environment.spec.id == "kuhn_poker")
        let plain = try Package.catalog.load("kuhn_poker")
        #expect(plain.spec.name == "kuhn_poker" && plain.spec.players == 2 && plain.spec.gameParams == ["players": .int(2)])
    }

    @Test(arguments: [
        ("kuhn_poker(players=5)", ["players", "outside [2, 4]"]),
        ("kuhn_poker(players=two)", ["players", "expected an integer"]),
        ("kuhn_poker(player=3)", ["'player'", "unknown parameter (known: players)"]),
        ("corridor(length=3)", ["'length'", "episode parameter", "--param length=VALUE"]),
        ("kuhn_poker(players=3", ["expected ')' at the end"]),
    ])
    func badGameParametersAreRefusedNamingThem(_ name: String, _ fragments: [String]) {
        do {
            _ = try Package.catalog.load(name)
            Issue.record("\(name) was accepted")
        } catch {
            guard case .parameter = error else { Issue.record("\(name): expected a parameter error, got \(error)"); return }
            for fragment in fragments { #expect(error.description.contains(fragment), "\(error.description)") }
        }
    }

    /// The checker holds a script's own fallback to the declared default.
    @Test func theCheckerCatchesAFallbackThatIsNotTheDeclaredDefault() throws {
        let source = try String(contentsOfFile: Package.environments + "/kuhn_poker.lua", encoding: .utf8)
            .replacingOccurrences(of: "id = \"kuhn_poker\"", with: "id = \"kuhn_default\"")
            .replacingOccurrences(of: "local players = math.tointeger(game.players) or 2", with: "local players = math.tointeger(game.players) or 3")
        #expect(source.contains("or 3") && source.contains("kuhn_default"))
        let report = EnvironmentChecker().check(Package.script(source), catalog: Package.catalog)
        let check = report.results.first { $0.name == "game_params" }
        #expect(check?.passed == false)
        #expect(check?.problems.contains { $0.message.contains("giving the default players=2 explicitly plays differently") } == true,
                "\(check?.problems.map(\.message) ?? [])")
    }

    @Test func theCheckerPlaysEveryDeclaredValueAgainstItsGoldenPlaythrough() throws {
        var options = CheckOptions()
        options.goldenDirectory = Package.golden
        let report = EnvironmentChecker(options: options).check(try Package.catalog.resolve("kuhn_poker"), catalog: Package.catalog)
        let check = try #require(report.results.first { $0.name == "game_params" })
        #expect(check.passed && check.skipped == nil, "\(check.problems.map(\.message))")
        // A changed golden file for players=3 is caught.
        let golden = Package.golden + "/kuhn_poker__players-3.txt"
        let original = try String(contentsOfFile: golden, encoding: .utf8)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("golden-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try original.replacingOccurrences(of: "\"to_play\":0", with: "\"to_play\":9").write(toFile: directory + "/kuhn_poker__players-3.txt", atomically: true, encoding: .utf8)
        options.goldenDirectory = directory
        let changed = EnvironmentChecker(options: options).check(try Package.catalog.resolve("kuhn_poker"), catalog: Package.catalog)
        let failing = try #require(changed.results.first { $0.name == "game_params" })
        #expect(!failing.passed && failing.problems.contains { $0.message.contains("kuhn_poker__players-3.txt") && $0.message.contains("golden playthrough") })
    }
}
