import Foundation
import LudusLua

/// Vega-Lite specs as JSON text: a chart's encoding written as in Vega-Lite's docs, its
/// data rows inlined. The page renders them with the vendored runtime (docs/report.md).
public enum VegaLite {
    /// The Vega-Lite major version the vendored runtime implements (`$schema`).
    public static let schema = "https://vega.github.io/schema/vega-lite/v6.json"

    /// A full spec: `body` is the JSON members after `data` (`"mark": ..., "encoding": ...`
    /// or `"layer": [...]`), `rows` the inline data.
    public static func spec(rows: [Value], width: Int = 400, height: Int = 210, _ body: String) -> String {
        "{\"$schema\":\(JSON.quote(schema)),\"width\":\(width),\"height\":\(height),\"data\":{\"values\":\(JSON.encode(.array(rows)))},\(body)}"
    }

    /// A spec whose layers are facets or concatenations (no top-level width/height).
    public static func compound(rows: [Value], _ body: String) -> String {
        "{\"$schema\":\(JSON.quote(schema)),\"data\":{\"values\":\(JSON.encode(.array(rows)))},\(body)}"
    }

    /// A data row; non-finite numbers become null (JSON has no nan).
    public static func row(_ fields: [String: Value]) -> Value {
        .table(fields.mapValues { value in
            if case .number(let d) = value, !d.isFinite { return .nil }
            return value
        })
    }

    /// `value` as a JSON number value, nil when not finite.
    public static func number(_ value: Double?) -> Value {
        guard let value, value.isFinite else { return .nil }
        return .number(value)
    }
}

/// Formatting shared by the sections' tables.
enum Format {
    static func percent(_ value: Double) -> String { value.isFinite ? String(format: "%.1f%%", 100 * value) : "–" }
    static func fixed(_ value: Double, _ digits: Int = 3) -> String { value.isFinite ? String(format: "%.\(digits)f", value) : "–" }
    static func interval(_ estimate: Estimate, percent: Bool = false, digits: Int = 3) -> String {
        let f: (Double) -> String = percent ? { Format.percent($0) } : { Format.fixed($0, digits) }
        return "\(f(estimate.value)) [\(f(estimate.low)), \(f(estimate.high))]"
    }

    /// A shell word: quoted when it holds anything but plain characters.
    static func shell(_ word: String) -> String {
        let plain = word.allSatisfy { $0.isLetter || $0.isNumber || "-_./:=,@+%".contains($0) }
        return plain && !word.isEmpty ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
