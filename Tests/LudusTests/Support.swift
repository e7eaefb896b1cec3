import Foundation
import Ludus
import LudusLua

/// Paths of the package, found from this file so tests run from any directory.
enum Package {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let environments = root.appendingPathComponent("Environments").path
    static let golden = root.appendingPathComponent("Tests/Golden").path

    /// The bundled catalog, found from this file: no process-wide variable set from parallel tests.
    static let catalog = EnvironmentCatalog(bundled: environments)

    /// Ids of every bundled environment, for parameterised tests: every script under
    /// `Environments/` (its path without `.lua`), loadable or not, so that a broken
    /// environment fails the suite instead of vanishing from it.
    static let bundledIDs: [String] = catalog.scripts().map { script in
        guard let id = try? catalog.load(script).spec.id else { return script.path }
        return id
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
