import Foundation
import Ludus
import LudusLua

/// Paths of the package, found from this file so tests run from any directory.
enum Package {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let environments = root.appendingPathComponent("Environments").path
    static let golden = root.appendingPathComponent("Tests/Golden").path

    static var catalog: EnvironmentCatalog {
        setenv("LUDUS_ENVIRONMENTS", environments, 1)
        return EnvironmentCatalog()
    }

    /// Ids of every bundled environment, for parameterised tests.
    static let bundledIDs: [String] = catalog.scripts().compactMap { script in
        try? catalog.load(script).spec.id
    }


    /// Writes a throwaway environment script and returns its location.
    static func script(_ source: String, name: String = UUID().uuidString) -> ScriptLocation {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ludus-tests")
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent(name + ".lua").path
        try! source.write(toFile: path, atomically: true, encoding: .utf8)
        return catalog.location(ofFile: path, root: nil)
    }
}
