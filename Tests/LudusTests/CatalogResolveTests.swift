import Foundation
import Testing
@testable import Ludus

/// Resolving an id without reading every script: `a_b.lua` tried after `a/b.lua`, and the
/// declared id scanned by hand as the regular expression it replaced found it.
@Suite struct CatalogResolveTests {
    static func byRegex(_ text: String) -> String? {
        guard let range = text.range(of: #"(^|[^A-Za-z0-9_.])id\s*=\s*"([^"]+)""#, options: .regularExpression) else { return nil }
        let match = text[range]
        guard let open = match.firstIndex(of: "\"") else { return nil }
        return String(match[match.index(after: open)...].dropLast())
    }

    @Test func theScannedIDIsTheRegularExpressions() throws {
        var texts = [
            #"local E = { id = "a/b" }"#, #"id="x""#, "id\n=\n\"multi\nline\"", #"myid = "no", id = "yes""#, #"E.id = "dotted""#,
            #"_id = "u", x.id="v", id = "w""#, #"id = "" id = "second""#, #"id = 'single' id = "double""#, #"id = "open"#,
            #"éid = "accent""#, #"ID = "case" id="lower""#, #"idid = "x" id = "y""#, #"id  =  "sp aces""#, "", "id", #"id ="#,
            #"-- id = "comment""#, "id\t=\t\"tab\"",
        ]
        for script in Package.catalog.scripts() {
            texts.append(try String(contentsOfFile: script.path, encoding: .utf8))
        }
        for text in texts {
            #expect(EnvironmentCatalog.declaredID(in: Array(text.utf8)) == Self.byRegex(text), "\(text.prefix(60).debugDescription)")
        }
    }

    /// Every bundled id resolves to the script the full scan finds (ids are unique, so the
    /// `a/b.lua` and `a_b.lua` shortcuts agree with it).
    @Test func everyBundledIDResolvesToItsScript() throws {
        let scripts = Package.catalog.scripts()
        var seen: [String: String] = [:]
        for script in scripts {
            guard let id = EnvironmentCatalog.declaredID(script.path) else { continue }
            if seen[id] == nil { seen[id] = script.path }
        }
        #expect(seen.count > 10)
        for (id, path) in seen {
            #expect(try Package.catalog.resolve(id).path == path, "\(id)")
        }
    }
}
