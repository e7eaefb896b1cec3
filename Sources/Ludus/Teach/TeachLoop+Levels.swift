import LudusLua

extension TeachLoop.Episode {
    /// The episode with its level left out of `params` (levels are recorded by hash in
    /// `teach_decision` and once in `teach_level`, not with every episode).
    public var withoutLevelParameter: TeachLoop.Episode {
        guard params[Level.parameter] != nil else { return self }
        var copy = self
        copy.params[Level.parameter] = nil
        return copy
    }
}

extension LevelFile {
    /// Reads a level file for `environment` and plays its reset once, so a malformed level
    /// is an error naming the file before any episode runs.
    /// - Throws: ``LevelError``.
    public static func load(_ path: String, for environment: any Environment, params: [String: Value]) throws(LevelError) -> LevelFile {
        let file = try read(path, for: environment.spec)
        try LevelEditor(environment: environment, baseParams: params).load(file.level, source: path)
        return file
    }
}
