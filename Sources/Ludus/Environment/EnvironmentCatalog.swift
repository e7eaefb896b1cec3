import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Logging
import LudusLua

/// Where a script is, how errors name it, and which `lib/` folder its `require` sees.
public struct ScriptLocation: Hashable, Sendable {
    public var path: String
    public var displayName: String
    public var libraryDirectory: String?
    /// Game parameters given with the name (`kuhn_poker(players=3)`), or nil.
    public var game: GameName? = nil
}

/// Finds environment scripts: the bundled `Environments/` folder plus any extra folders.
///
/// A script is any `.lua` file under a root, except those in `lib/` folders.
/// An environment is named by its `E.id`, or by a path to its file.
public struct EnvironmentCatalog: Sendable {
    public var roots: [String]

    /// - Parameters:
    ///   - extraPaths: folders given with `--path`, searched before the bundled one.
    ///   - bundled: the bundled folder; by default ``bundledRoot()`` (found from the
    ///     environment and the working directory; tests pass it instead of setting a variable).
    public init(extraPaths: [String] = [], bundled: String? = EnvironmentCatalog.bundledRoot()) {
        var roots = extraPaths.map { Self.absolute($0) }
        if let bundled { roots.append(Self.absolute(bundled)) }
        self.roots = roots
    }

    /// `LUDUS_ENVIRONMENTS`, else the nearest `Environments/` above the working
    /// directory, else the one above the executable.
    public static func bundledRoot() -> String? {
        let environment = ProcessInfo.processInfo.environment
        if let given = environment["LUDUS_ENVIRONMENTS"], !given.isEmpty { return absolute(given) }
        let starts = [FileManager.default.currentDirectoryPath, URL(fileURLWithPath: CommandLine.arguments.first ?? ".").deletingLastPathComponent().path]
        for start in starts {
            var directory = URL(fileURLWithPath: absolute(start))
            for _ in 0..<8 {
                let candidate = directory.appendingPathComponent("Environments")
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory), isDirectory.boolValue {
                    return candidate.path
                }
                directory.deleteLastPathComponent()
            }
        }
        return nil
    }

    static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(path).standardized.path
    }

    /// A path as the user would type it: relative to the working directory when below it.
    static func display(_ path: String) -> String {
        let cwd = FileManager.default.currentDirectoryPath + "/"
        return path.hasPrefix(cwd) ? String(path.dropFirst(cwd.count)) : path
    }

    /// Every script under the roots, sorted, `lib/` folders excluded.
    public func scripts() -> [ScriptLocation] {
        var found: [ScriptLocation] = []
        for root in roots {
            guard let enumerator = FileManager.default.enumerator(atPath: root) else { continue }
            var files: [String] = []
            while let relative = enumerator.nextObject() as? String {
                if relative.hasSuffix(".lua"), !relative.split(separator: "/").dropLast().contains("lib"),
                    !relative.hasPrefix("lib/")
                {
                    files.append(relative)
                }
            }
            for relative in files.sorted() {
                found.append(location(ofFile: root + "/" + relative, root: root))
            }
        }
        return found
    }

    public func location(ofFile path: String, root: String?) -> ScriptLocation {
        let absolutePath = Self.absolute(path)
        let directory = URL(fileURLWithPath: absolutePath).deletingLastPathComponent().path
        var library: String? = nil
        for candidate in [root.map { $0 + "/lib" }, directory + "/lib"].compactMap({ $0 }) + roots.map({ $0 + "/lib" }) {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory), isDirectory.boolValue {
                library = candidate
                break
            }
        }
        return ScriptLocation(path: absolutePath, displayName: Self.display(absolutePath), libraryDirectory: library)
    }

    /// Resolves an id (`gridworld/empty`) or a path to a `.lua` file, either followed by game
    /// parameters (`kuhn_poker(players=3)`, see ``GameName``).
    /// - Throws: ``EnvironmentError/notFound(_:searched:)``, or ``EnvironmentError/parameter(_:)``
    ///   for malformed game parameters.
    public func resolve(_ name: String) throws(EnvironmentError) -> ScriptLocation {
        let game: GameName
        do { game = try GameName(parsing: name) } catch { throw .parameter(error) }
        var location = try resolveScript(game.base)
        if !game.given.isEmpty { location.game = game }
        return location
    }

    private func resolveScript(_ name: String) throws(EnvironmentError) -> ScriptLocation {
        if name.hasSuffix(".lua") || name.contains("/") && FileManager.default.fileExists(atPath: name) {
            guard FileManager.default.fileExists(atPath: name) else { throw .notFound(name, searched: [name]) }
            let root = roots.first { Self.absolute(name).hasPrefix($0 + "/") }
            return location(ofFile: name, root: root)
        }
        // By convention, id `a/b` lives in `a/b.lua`, tried in every root before reading every
        // script's id (a few milliseconds of each `ludus score` start). The bundled `sudoku/text`
        // and `countdown/text` live in `a_b.lua`: that name is tried in the first root only, since
        // a script of an earlier root declaring the id must keep winning over a later root's.
        for root in roots {
            let candidate = root + "/" + name + ".lua"
            if FileManager.default.fileExists(atPath: candidate), Self.declaredID(candidate) == name {
                return location(ofFile: candidate, root: root)
            }
        }
        if name.contains("/"), let first = roots.first {
            let candidate = first + "/" + String(name.map { $0 == "/" ? "_" : $0 }) + ".lua"
            if FileManager.default.fileExists(atPath: candidate), Self.declaredID(candidate) == name {
                return location(ofFile: candidate, root: first)
            }
        }
        for script in scripts() where Self.declaredID(script.path) == name {
            return script
        }
        throw .notFound(name, searched: roots.map(Self.display))
    }

    /// Whether `path` is a regular file (after symlinks). A FIFO, socket or device named
    /// `*.lua` would block or never end when read, so nothing opens one.
    static func isRegularFile(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
    }

    /// The `id = "..."` a script declares, read without running it (from its first 64 KiB,
    /// and only from regular files).
    static func declaredID(_ path: String) -> String? {
        guard isRegularFile(path), let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        guard let data = try? handle.read(upToCount: 1 << 16), String(data: data, encoding: .utf8) != nil else { return nil }
        return declaredID(in: Array(data))
    }

    /// The first `id = "..."` of a script's text, as the pattern
    /// `(^|[^A-Za-z0-9_.])id\s*=\s*"([^"]+)"` finds it, scanned by hand: the regular
    /// expression started ICU, a tenth of a `ludus score` start. `\s` is ASCII white space
    /// here (a script would not put other spaces around its id's `=`).
    static func declaredID(in text: [UInt8]) -> String? {
        func isSpace(_ b: UInt8) -> Bool { b == 0x20 || (0x09...0x0D).contains(b) }
        func isWord(_ b: UInt8) -> Bool {
            (0x30...0x39).contains(b) || (0x41...0x5A).contains(b) || (0x61...0x7A).contains(b) || b == 0x5F || b == 0x2E
        }
        var k = 0
        while k + 1 < text.count {
            defer { k += 1 }
            guard text[k] == UInt8(ascii: "i"), text[k + 1] == UInt8(ascii: "d"), k == 0 || !isWord(text[k - 1]) else { continue }
            var j = k + 2
            while j < text.count, isSpace(text[j]) { j += 1 }
            guard j < text.count, text[j] == UInt8(ascii: "=") else { continue }
            j += 1
            while j < text.count, isSpace(text[j]) { j += 1 }
            guard j < text.count, text[j] == UInt8(ascii: "\"") else { continue }
            let start = j + 1
            guard let end = text[start...].firstIndex(of: UInt8(ascii: "\"")), end > start else { continue }
            return String(decoding: text[start..<end], as: UTF8.self)
        }
        return nil
    }

    /// Loads an environment by id or path into a fresh VM.
    public func load(_ name: String, limits: LuaLimits = .default, logger: Logger? = nil) throws(EnvironmentError) -> LuaEnvironment {
        try load(resolve(name), limits: limits, logger: logger)
    }

    public func load(_ location: ScriptLocation, limits: LuaLimits = .default, logger: Logger? = nil) throws(EnvironmentError) -> LuaEnvironment {
        guard Self.isRegularFile(location.path) else {
            throw .unreadable(location.displayName, reason: FileManager.default.fileExists(atPath: location.path)
                ? "not a regular file (a FIFO, socket or device is never opened)" : "no such file")
        }
        return try LuaEnvironment(path: location.path, displayName: location.displayName, limits: limits,
                           libraryDirectory: location.libraryDirectory, game: location.game, logger: logger)
    }
}
