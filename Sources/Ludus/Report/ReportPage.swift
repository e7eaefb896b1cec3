import Foundation

/// The report as one self-contained HTML page: styles, the vendored Vega runtime and every
/// chart's spec inlined, nothing fetched (it opens offline). Charts render as SVG; each
/// chart's `div` says when it has drawn and how many marks (`data-status`, `data-marks`),
/// and `#ludus-status` sums them up with any script error, for the browser test.
public struct ReportPage {
    public var report: Report

    public init(report: Report) { self.report = report }

    /// Where the vendored runtime is looked for: the `Ludus_Ludus.resources` bundle SwiftPM
    /// puts beside the executable (and beside the test runner), then this source tree's copy.
    /// Found by hand rather than through `Bundle.module`, which stops the process when the
    /// bundle is missing (a binary copied without it): here that is a clear error instead.
    static func runtimeFolders() -> [URL] {
        var folders: [URL] = []
        for base in [Bundle.main.executableURL?.deletingLastPathComponent(), Bundle.main.bundleURL, Bundle.main.resourceURL].compactMap({ $0 }) {
            folders.append(base.appendingPathComponent("Ludus_Ludus.resources/vega"))
            folders.append(base.deletingLastPathComponent().appendingPathComponent("Ludus_Ludus.resources/vega"))
        }
        folders.append(URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Vendor/vega"))
        return folders
    }

    static func runtimeFile(_ name: String) throws(ReportError) -> URL {
        let folders = runtimeFolders()
        guard let found = folders.first(where: { FileManager.default.fileExists(atPath: $0.appendingPathComponent(name).path) }) else {
            throw .runtimeMissing("\(name) not found in " + folders.map(\.path).joined(separator: ", "))
        }
        return found.appendingPathComponent(name)
    }

    /// The vendored runtime (vega, vega-lite, vega-embed).
    public static func runtime() throws(ReportError) -> String {
        let url = try runtimeFile("vega-bundle.js")
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { throw .runtimeMissing("cannot read \(url.path)") }
        return text
    }

    /// The runtime's version line (`vega 6.2.0, vega-lite 6.4, vega-embed 7.0.2 (bundled by vl-convert-python 1.9.0.post1)`).
    public static func runtimeVersion() -> String {
        guard let url = try? runtimeFile("VERSION"), let text = try? String(contentsOf: url, encoding: .utf8) else { return "unknown" }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    public func html() throws(ReportError) -> String {
        let runtime = try Self.runtime().replacingOccurrences(of: "</script", with: "<\\/script")
        var chartIndex = 0
        var body = "<header><h1>Ludus report</h1><p class=\"dbs\">" + report.databases.map { "<code>\(escape($0))</code>" }.joined(separator: " ") + "</p>"
        if !report.sections.isEmpty {
            body += "<nav>" + report.sections.map { "<a href=\"#\($0.kind)\">\(escape($0.title))</a>" }.joined(separator: " · ") + "</nav>"
        }
        body += "</header>\n"
        let shownKinds = Set(report.sections.map(\.kind))
        let absent = ReportKind.allCases.map(\.rawValue).filter { !shownKinds.contains($0) }
        var notes = report.notes
        if report.sections.isEmpty {
            notes.insert("Nothing to plot: no run of any kind (teach, tournament, critic, selfplay, eval) was found in the database(s) given.", at: 0)
        } else if !absent.isEmpty {
            notes.append("No \(absent.joined(separator: ", ")) run in the database(s) given: no section for \(absent.count == 1 ? "it" : "them").")
        }
        body += "<section id=\"notes\" class=\"notes\"><h2>What this report shows</h2><p>\(report.sections.map { "\($0.chartCount) chart(s) on \(escape($0.kind))" }.joined(separator: ", "))\(report.sections.isEmpty ? "No charts." : ".") Click a point for its details and the command that reproduces it.</p>"
        if !notes.isEmpty { body += "<ul>" + notes.map { "<li>\(escape($0))</li>" }.joined() + "</ul>" }
        body += "</section>\n"
        var specs = ""
        for section in report.sections {
            body += "<section class=\"kind\" id=\"\(section.kind)\" data-kind=\"\(section.kind)\"><h2>\(escape(section.title))</h2><p>\(escape(section.summary))</p>"
            if !section.notes.isEmpty { body += "<ul class=\"warn\">" + section.notes.map { "<li>\(escape($0))</li>" }.joined() + "</ul>" }
            for block in section.blocks {
                body += "<div class=\"block\"><h3>\(escape(block.title))</h3>"
                if !block.notes.isEmpty { body += "<ul class=\"warn\">" + block.notes.map { "<li>\(escape($0))</li>" }.joined() + "</ul>" }
                if !block.commands.isEmpty {
                    body += "<details\(block.commands.count == 1 ? " open" : "")><summary>reproduce (\(block.commands.count) command\(block.commands.count == 1 ? "" : "s"))</summary>"
                        + block.commands.map { "<pre class=\"cmd\">\(escape($0))</pre>" }.joined() + "</details>"
                }
                for table in block.tables { body += tableHTML(table) }
                body += "<div class=\"charts\">"
                for chart in block.charts {
                    chartIndex += 1
                    body += "<figure class=\"chart\" data-spec=\"spec-\(chartIndex)\" data-status=\"pending\"><figcaption><b>\(escape(chart.title))</b>"
                        + (chart.caption.isEmpty ? "" : " <span>\(escape(chart.caption))</span>") + "</figcaption><div class=\"plot\"></div><pre class=\"detail\" hidden></pre></figure>"
                    specs += "<script type=\"application/json\" id=\"spec-\(chartIndex)\">\(chart.spec.replacingOccurrences(of: "</", with: "<\\/"))</script>\n"
                }
                body += "</div></div>\n"
            }
            body += "</section>\n"
        }
        body += "<footer>Charts: \(escape(Self.runtimeVersion())), inlined (docs/report.md). Statistics: IQM, mean, optimality gap and probability of improvement as in rliable, 95% stratified-bootstrap percentile intervals (\(2000) resamples, seed 0).</footer>"
        body += "<pre id=\"ludus-status\" hidden>{\"state\":\"loading\"}</pre>"
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Ludus report</title>
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <style>\(Self.style)</style>
            <script>\(Self.errorTrap)</script>
            </head><body>
            \(body)
            \(specs)<script type="module">\(runtime)</script>
            <script type="module">\(Self.renderScript)</script>
            </body></html>

            """
    }

    func tableHTML(_ table: ReportTable) -> String {
        "<table><caption>\(escape(table.caption))</caption><thead><tr>" + table.header.map { "<th>\(escape($0))</th>" }.joined() + "</tr></thead><tbody>"
            + table.rows.map { "<tr>" + $0.map { "<td>\(escape($0))</td>" }.joined() + "</tr>" }.joined() + "</tbody></table>"
    }

    func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(c)
            }
        }
        return out
    }

    static let errorTrap = """
        window.ludusErrors = []; window.ludusWarnings = [];
        window.addEventListener('error', e => window.ludusErrors.push(String(e.message || e)));
        window.addEventListener('unhandledrejection', e => window.ludusErrors.push(String(e.reason)));
        { const original = console.error; console.error = (...args) => { window.ludusErrors.push(args.map(String).join(' ')); original.apply(console, args); }; }
        { const original = console.warn; console.warn = (...args) => { window.ludusWarnings.push(args.map(String).join(' ')); original.apply(console, args); }; }
        """

    static let renderScript = """
        const figures = [...document.querySelectorAll('figure.chart')];
        let drawn = 0;
        await Promise.all(figures.map(async figure => {
          const detail = figure.querySelector('pre.detail');
          try {
            const spec = JSON.parse(document.getElementById(figure.dataset.spec).textContent);
            const result = await vegaEmbed(figure.querySelector('.plot'), spec, {renderer: 'svg', actions: false});
            result.view.addEventListener('click', (event, item) => {
              const datum = item && item.datum;
              if (datum && datum.detail) { detail.textContent = datum.detail; detail.hidden = false; }
            });
            const marks = figure.querySelectorAll('svg g.role-mark > *').length;
            figure.dataset.marks = String(marks);
            figure.dataset.status = marks > 0 ? 'drawn' : 'empty';
            if (marks > 0) drawn += 1;
          } catch (error) {
            figure.dataset.status = 'error';
            figure.querySelector('.plot').textContent = 'chart failed: ' + error;
            window.ludusErrors.push('chart ' + figure.dataset.spec + ': ' + error);
          }
        }));
        const status = document.getElementById('ludus-status');
        status.textContent = JSON.stringify({state: 'done', charts: figures.length, drawn,
          sections: [...document.querySelectorAll('section.kind')].map(s => s.dataset.kind), errors: window.ludusErrors, warnings: window.ludusWarnings});
        document.body.dataset.rendered = 'done';
        """

    static let style = """
        body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:1240px;padding:0 24px 48px;color:#1d2433;background:#fbfbfd}
        header{border-bottom:1px solid #dde;padding:12px 0}h1{margin:0 0 4px;font-size:24px}nav a{color:#2458a6;text-decoration:none}
        h2{margin:28px 0 6px;font-size:20px;border-bottom:2px solid #e4e7ef}h3{font-size:15px;margin:18px 0 6px}
        .notes{background:#f2f5fb;border:1px solid #dfe5f1;border-radius:6px;padding:4px 16px;margin-top:14px}
        .warn li{color:#8a4b00}.block{margin-bottom:18px}.charts{display:flex;flex-wrap:wrap;gap:12px}
        figure.chart{margin:0;flex:0 1 auto;background:#fff;border:1px solid #e4e7ef;border-radius:6px;padding:8px 10px;max-width:100%;overflow-x:auto}
        figcaption{font-size:13px;margin-bottom:4px;max-width:540px}figcaption span{color:#5b6475}
        pre{white-space:pre-wrap;word-break:break-all;margin:4px 0}pre.cmd{background:#f4f4f7;padding:6px 8px;border-radius:4px;font-size:12px}
        pre.detail{background:#fff8e6;border:1px solid #f0dca8;padding:6px 8px;border-radius:4px;font-size:12px;max-width:600px}
        table{border-collapse:collapse;margin:8px 0 12px;font-size:13px}caption{text-align:left;font-weight:600;padding-bottom:4px}
        th,td{border:1px solid #dde;padding:3px 8px;text-align:left}th{background:#f2f4f8}code{font-size:12px}
        footer{margin-top:32px;color:#6b7280;font-size:12px}
        """
}
