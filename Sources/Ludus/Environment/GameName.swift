import Foundation
import LudusLua

/// An environment name with game parameters, OpenSpiel's `load_game` syntax:
/// `kuhn_poker(players=3)`. Game parameters fix facts that `E` declares once at load
/// (the number of players, the deck), unlike `params`, which vary per episode.
///
/// The script receives the given values as its chunk argument (`local game = ...`) and
/// declares them in `E.game_params` (the syntax of `params`); the loader checks every given
/// value against that declaration (see ``EnvironmentSpec/gameParameters``).
public struct GameName: Hashable, Sendable {
    /// The id or path before the parentheses.
    public var base: String
    /// The given values in the order written, each parsed as an integer, a number, a boolean or text.
    public var given: [(name: String, value: Value)]

    public static func == (a: GameName, b: GameName) -> Bool {
        a.base == b.base && a.given.map(\.name) == b.given.map(\.name) && a.given.map(\.value) == b.given.map(\.value)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(base)
        for (name, value) in given {
            hasher.combine(name)
            hasher.combine(value)
        }
    }

    public init(base: String, given: [(name: String, value: Value)]) {
        self.base = base
        self.given = given
    }

    /// Splits `base(k=v,...)`; a name without parentheses has no game parameters.
    /// - Throws: ``ParameterError`` for unbalanced parentheses, a missing `=`, an empty or
    ///   repeated name.
    public init(parsing text: String) throws(ParameterError) {
        guard let open = text.firstIndex(of: "("), !text.hasSuffix(".lua") else {
            guard !text.contains(")") || text.hasSuffix(".lua") else { throw Self.malformed(text, "a ')' without '('") }
            base = text
            given = []
            return
        }
        guard text.hasSuffix(")") else { throw Self.malformed(text, "expected ')' at the end") }
        base = String(text[..<open])
        guard !base.isEmpty else { throw Self.malformed(text, "no environment before '('") }
        let inside = text[text.index(after: open)..<text.index(before: text.endIndex)]
        given = []
        guard !inside.trimmingCharacters(in: .whitespaces).isEmpty else { return }
        for assignment in inside.split(separator: ",", omittingEmptySubsequences: false) {
            let parts = assignment.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = parts[0].trimmingCharacters(in: .whitespaces)
            guard parts.count == 2, !name.isEmpty else {
                throw Self.malformed(text, "expected name=value, got '\(assignment.trimmingCharacters(in: .whitespaces))'")
            }
            guard !given.contains(where: { $0.name == name }) else { throw Self.malformed(text, "'\(name)' given twice") }
            given.append((name, Self.parseValue(parts[1].trimmingCharacters(in: .whitespaces))))
        }
    }

    /// The given values as a table, the script's chunk argument.
    public var table: [String: Value] { Dictionary(uniqueKeysWithValues: given.map { ($0.name, $0.value) }) }

    /// `base(k=v,...)` as written (canonical spacing), or `base` alone.
    public var description: String {
        given.isEmpty ? base : base + "(" + given.map { "\($0.name)=\(displayText($0.value))" }.joined(separator: ",") + ")"
    }

    static func parseValue(_ text: String) -> Value {
        if let integer = Int64(text) { return .int(integer) }
        if let number = Double(text), number.isFinite { return .number(number) }
        if text == "true" { return .bool(true) }
        if text == "false" { return .bool(false) }
        return .string(text)
    }

    static func malformed(_ text: String, _ reason: String) -> ParameterError {
        ParameterError(environment: text, parameter: "game parameters", message: "\(reason) (write them as NAME(key=value,...), e.g. kuhn_poker(players=3))")
    }
}
