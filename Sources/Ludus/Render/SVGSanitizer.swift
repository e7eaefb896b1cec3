import Foundation

/// Makes an environment's SVG safe to hand to a converter: an SVG is a script's output,
/// and converters (librsvg, ImageMagick) follow references to files. What is removed:
/// - `<!DOCTYPE ...>` (with its internal subset) and `<!ENTITY ...>`: external entities;
/// - processing instructions other than the XML declaration (`<?xml-stylesheet?>`);
/// - XInclude elements (`<xi:include>`, `<xi:fallback>`, under any prefix);
/// - `href` / `xlink:href` (any prefix) and `src` attributes other than `#fragment` and
///   `data:image/png|jpeg|gif|webp` (not `data:image/svg+xml`, which could nest references);
/// - CSS `@import` and `url(...)` other than `url(#fragment)`.
public enum SVGSanitizer {
    public static func sanitize(_ svg: String) -> String {
        var text = svg
        // Internal subsets may nest brackets only in quoted text; remove the whole DOCTYPE, then any stray ENTITY.
        text = replace(text, #"<!DOCTYPE(?:[^\[>]|\[(?:[^\]"']|"[^"]*"|'[^']*')*\])*>"#, with: "")
        text = replace(text, #"<!ENTITY(?:[^>"']|"[^"]*"|'[^']*')*>"#, with: "")
        text = replace(text, #"<!DOCTYPE|<!ENTITY"#, with: "")  // unterminated leftovers
        text = replace(text, #"<\?(?!xml[\s?])(?:[^?]|\?(?!>))*\?>"#, with: "")
        // XInclude elements, self-closing or with content (fallbacks included), under any prefix or none.
        let name = #"(?:[A-Za-z_][\w.\-]*:)?(?:include|fallback)"#
        text = replace(text, "<(" + name + #")\b(?:[^>"']|"[^"]*"|'[^']*')*/>"#, with: "")
        text = replace(text, "<(" + name + #")\b[\s\S]*?</\1\s*>"#, with: "")
        text = replace(text, "<" + name + #"\b(?:[^>"']|"[^"]*"|'[^']*')*>"#, with: "")  // an unclosed start tag
        // References in attributes: keep fragments and raster data only.
        text = replace(text, #"\s(?:[A-Za-z_][\w.\-]*:)?(?:href|src)\s*=\s*("[^"]*"|'[^']*')"#) { match in
            let quoted = match.dropFirst(match.firstIndex(of: "=").map { match.distance(from: match.startIndex, to: $0) + 1 } ?? 0)
                .trimmingCharacters(in: .whitespaces)
            let value = String(quoted.dropFirst().dropLast())
            return isSafeReference(value) ? match : ""
        }
        // CSS, in <style> and style="...": no imports, no external url().
        text = replace(text, #"@import\b[^;]*;?"#, with: "")
        text = replace(text, #"url\(\s*(?!['"]?#)[^)]*\)"#, with: "none")
        return text
    }

    static func isSafeReference(_ value: String) -> Bool {
        if value.hasPrefix("#") { return true }
        let lower = value.lowercased()
        return ["data:image/png", "data:image/jpeg", "data:image/gif", "data:image/webp"].contains { lower.hasPrefix($0) }
    }

    private static func replace(_ text: String, _ pattern: String, with template: String) -> String {
        let regex = try! NSRegularExpression(pattern: pattern, options: [.caseInsensitive])
        return regex.stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text), withTemplate: template)
    }

    private static func replace(_ text: String, _ pattern: String, _ transform: (String) -> String) -> String {
        let regex = try! NSRegularExpression(pattern: pattern, options: [.caseInsensitive])
        var result = ""
        var last = text.startIndex
        for match in regex.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
            guard let range = Range(match.range, in: text) else { continue }
            result += text[last..<range.lowerBound]
            result += transform(String(text[range]))
            last = range.upperBound
        }
        return result + text[last...]
    }
}

/// Converts an SVG document to PNG with `rsvg-convert` (librsvg2-bin), else ImageMagick's
/// `convert`. The SVG is sanitized (``SVGSanitizer``) and converted from a fresh, empty,
/// private temporary folder (mkdtemp, 0700), so relative references resolve to nothing:
/// files beside or below the output can never be drawn into the picture.
public enum PNGConverter {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Writes `out`; returns the tool that converted.
    @discardableResult
    public static func convert(svg: String, to out: String) throws -> String {
        let base = (ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp")
        var template = Array((base + "/ludus-render-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw Failure(description: "cannot create a temporary folder in \(base): errno \(errno)") }
        let folder = String(cString: made)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let input = folder + "/image.svg", output = folder + "/image.png"
        try SVGSanitizer.sanitize(svg).write(toFile: input, atomically: false, encoding: .utf8)
        for (tool, arguments) in [("rsvg-convert", [input, "-o", output]), ("convert", [input, output])] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [tool] + arguments
            process.currentDirectoryURL = URL(fileURLWithPath: folder)
            process.standardError = FileHandle.nullDevice
            process.standardOutput = FileHandle.nullDevice
            guard (try? process.run()) != nil else { continue }
            process.waitUntilExit()
            guard process.terminationStatus == 0, FileManager.default.fileExists(atPath: output) else { continue }
            let destination = URL(fileURLWithPath: out)
            if FileManager.default.fileExists(atPath: out) { try FileManager.default.removeItem(at: destination) }
            try FileManager.default.copyItem(at: URL(fileURLWithPath: output), to: destination)
            return tool
        }
        throw Failure(description: "no SVG converter found (or it failed on this SVG): install librsvg2-bin (rsvg-convert), or use --format svg")
    }
}
