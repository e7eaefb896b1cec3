import LudusLua

extension CheckContext {
    /// Levels as data (`E.level`, optional `E.mutate`, `E.solvable`):
    /// - a generated level is a table that survives JSON, and reset on it plays the same
    ///   trajectory as the generated episode (same seed, same random actions);
    /// - `E.level` after a reset on a level returns that level;
    /// - a value that is not a level is refused by reset (an error, not a silent episode);
    /// - mutated levels load and round-trip, the same parent, edit count and seed give the
    ///   same child, some seed changes the level, and with `E.solvable` a solvable parent
    ///   has solvable children.
    mutating func checkLevels() throws(CheckFailure) {
        guard LevelEditor.supports(spec) else { throw .skip("no E.level") }
        let editor: LevelEditor
        do { editor = try LevelEditor(environment: env) } catch { throw CheckFailure(location: nil, message: error.description) }
        let params = spec.parameters.defaults
        func attempt<T>(_ body: () throws(LevelError) -> T) throws(CheckFailure) -> T {
            do { return try body() } catch { throw CheckFailure(location: location("level"), message: error.description) }
        }
        var parents: [Level] = []
        for index in 0..<3 {
            let episodeSeed = seed(40 + index)
            let level = try attempt { () throws(LevelError) in try editor.generate(seed: episodeSeed, params: params) }
            parents.append(level)
            if let decoded = try? JSON.decode(level.json), Level(decoded).hash != level.hash {
                problem("E.level returned a value that changes through JSON (\(level.hash) -> \(Level(decoded).hash)): use strings, integers and tables",
                        at: location("level"))
            }
            let generated = try playHash(env, seed: episodeSeed, steps: 30, params: params)
            let replayed = try playHash(env, seed: episodeSeed, steps: 30, params: level.params(params))
            if generated != replayed {
                problem("reset on E.level's level plays differently from the episode it came from (seed \(episodeSeed)): the level must hold everything reset built",
                        at: location("reset"))
            }
            // Another seed: a reset that ignored the level would generate a different one.
            try attempt { () throws(LevelError) in try editor.load(level, seed: seed(50 + index)) }
            let back = try attempt { () throws(LevelError) in try editor.current() }
            if back != level { problem("E.level after a reset on level \(level.hash) returned another level (\(back.hash))", at: location("level")) }
        }
        for junk: Value in [.string("not a level"), ["layout": .int(3)]] {
            if (try? editor.load(Level(junk))) != nil {
                problem("reset accepted \(JSON.encode(junk)) as a level: validate params.\(Level.parameter) and raise an error", at: location("reset"))
            }
        }
        guard editor.canMutate else { return }
        var changed = false
        for (index, parent) in parents.enumerated() {
            let solvableParent = try attempt { () throws(LevelError) in try editor.solvable(parent) }
            for edits in [1, 5] {
                let mutationSeed = seed(60 + 2 * index + edits)
                let child = try attempt { () throws(LevelError) in try editor.mutate(parent, edits: edits, seed: mutationSeed) }
                let again = try attempt { () throws(LevelError) in try editor.mutate(parent, edits: edits, seed: mutationSeed) }
                if child != again {
                    problem("E.mutate gave two children of level \(parent.hash) with the same seed: draw only from self.rng", at: location("mutate"))
                }
                if child != parent { changed = true }
                do { try editor.load(child, seed: mutationSeed) } catch {
                    problem("a mutated level does not load: \(error.description)", at: location("mutate"))
                    continue
                }
                if let back = try? editor.current(), back != child {
                    problem("E.level after a reset on mutated level \(child.hash) returned another level", at: location("level"))
                }
                if solvableParent == true, try attempt({ () throws(LevelError) in try editor.solvable(child) }) == false {
                    problem("E.mutate made an unsolvable level (\(child.hash)) from a solvable one (\(parent.hash))", at: location("mutate"))
                }
            }
        }
        if !changed { problem("E.mutate never changed a level (6 mutations)", at: location("mutate")) }
    }
}
