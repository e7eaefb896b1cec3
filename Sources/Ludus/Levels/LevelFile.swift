import Foundation
import LudusLua

/// A level saved to disk: one JSON object
/// `{"environment": ID, "version": V, "hash": H, "level": VALUE, "source": {...}}`,
/// where `source` (optional) says where the level came from (`{"seed": "S", "params": {...}}`
/// for a generated level, `{"name": "Labyrinth"}` for a hand-designed one). `hash`
/// (optional) must match the level when present, so an edited file is caught.
public struct LevelFile: Hashable, Sendable {
    public var environment: String
    public var version: String
    public var level: Level
    public var source: Value

    public init(environment: String, version: String, level: Level, source: Value = .nil) {
        self.environment = environment
        self.version = version
        self.level = level
        self.source = source
    }

    public init(spec: EnvironmentSpec, level: Level, source: Value = .nil) {
        self.init(environment: spec.id, version: spec.version, level: level, source: source)
    }

    /// The file's text (canonical JSON, one line, a final newline).
    public var text: String {
        var fields: [String: Value] = ["environment": .string(environment), "version": .string(version),
                                       "hash": .string(level.hash), "level": level.value]
        if !source.isNil { fields["source"] = source }
        return JSON.encode(.table(fields)) + "\n"
    }

    public func write(to path: String) throws {
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// Reads and checks a level file written for `spec` (same id and version). The level's
    /// contents are checked by the environment when it is played (``LevelEditor/load(_:seed:source:)``).
    /// - Throws: ``LevelError/badFile(path:reason:)`` or ``LevelError/wrongEnvironment(path:expected:found:)``.
    public static func read(_ path: String, for spec: EnvironmentSpec) throws(LevelError) -> LevelFile {
        guard let data = FileManager.default.contents(atPath: path) else { throw .badFile(path: path, reason: "cannot be read") }
        guard data.count <= 1 << 20 else { throw .badFile(path: path, reason: "larger than 1 MiB") }
        let value: Value
        do { value = try JSON.decode(utf8: Array(data)) } catch { throw .badFile(path: path, reason: error.description) }
        guard case .table(let fields) = value else { throw .badFile(path: path, reason: "expected a JSON object") }
        guard let environment = fields["environment"]?.stringValue else { throw .badFile(path: path, reason: "no \"environment\" string") }
        let version = fields["version"]?.stringValue ?? ""
        guard environment == spec.id, version == spec.version else {
            throw .wrongEnvironment(path: path, expected: "\(spec.id) \(spec.version)", found: "\(environment) \(version.isEmpty ? "(no version)" : version)")
        }
        guard let body = fields["level"], case .table = body else { throw .badFile(path: path, reason: "no \"level\" object") }
        let level = Level(body)
        if let stated = fields["hash"], stated != .string(level.hash) {
            throw .badFile(path: path, reason: "\"hash\" is \(JSON.encode(stated)) but the level hashes to \(level.hash) (edited? remove the hash)")
        }
        return LevelFile(environment: environment, version: version, level: level, source: fields["source"] ?? .nil)
    }

    /// The level files of a folder, sorted by file name, or of a named set shipped with
    /// the environment: `NAME` is the folder `ENV.levels/NAME` beside the script
    /// (`gridworld/maze.levels/heldout`). Returns (file name without `.json`, file) pairs.
    /// - Throws: ``LevelError`` for a missing folder, an empty one, or any bad file.
    public static func set(_ nameOrFolder: String, for spec: EnvironmentSpec) throws(LevelError) -> [(name: String, file: LevelFile)] {
        var isDirectory: ObjCBool = false
        var folder = nameOrFolder
        if !(FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory) && isDirectory.boolValue) {
            let script = spec.path.hasSuffix(".lua") ? String(spec.path.dropLast(4)) : spec.path
            folder = script + ".levels/" + nameOrFolder
            guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw .badFile(path: nameOrFolder, reason: "neither a folder nor a level set of \(spec.id) (looked for \(folder))")
            }
        }
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
        guard !names.isEmpty else { throw .badFile(path: folder, reason: "holds no .json level files") }
        var files: [(name: String, file: LevelFile)] = []
        for name in names { files.append((String(name.dropLast(5)), try read(folder + "/" + name, for: spec))) }
        return files
    }
}
