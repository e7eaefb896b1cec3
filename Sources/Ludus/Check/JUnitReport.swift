/// JUnit XML for CI systems: a test suite per environment, a test case per check.
public enum JUnitReport {
    public static func xml(_ reports: [CheckReport]) -> String {
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        let failures = reports.reduce(0) { $0 + $1.results.filter { !$0.passed }.count }
        let tests = reports.reduce(0) { $0 + $1.results.count }
        out += "<testsuites name=\"ludus check\" tests=\"\(tests)\" failures=\"\(failures)\">\n"
        for report in reports {
            let suiteFailures = report.results.filter { !$0.passed }.count
            let skipped = report.results.filter { $0.skipped != nil }.count
            let time = report.results.reduce(0) { $0 + $1.seconds }
            out += "  <testsuite name=\"\(escape(report.name))\" tests=\"\(report.results.count)\" failures=\"\(suiteFailures)\" skipped=\"\(skipped)\" time=\"\(seconds(time))\" file=\"\(escape(report.file))\">\n"
            for result in report.results {
                out += "    <testcase classname=\"ludus.check.\(escape(report.name))\" name=\"\(escape(result.name))\" time=\"\(seconds(result.seconds))\""
                if result.passed && result.skipped == nil {
                    out += "/>\n"
                    continue
                }
                out += ">\n"
                if let reason = result.skipped { out += "      <skipped message=\"\(escape(reason))\"/>\n" }
                for problem in result.problems {
                    out += "      <failure message=\"\(escape(problem.message))\" type=\"\(escape(problem.check))\">\(escape(problem.description))</failure>\n"
                }
                out += "    </testcase>\n"
            }
            out += "  </testsuite>\n"
        }
        return out + "</testsuites>\n"
    }

    static func seconds(_ t: Double) -> String { String(Double(Int(t * 1000)) / 1000) }

    static func escape(_ text: String) -> String {
        var out = ""
        for ch in text.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case _ where ch.value < 0x20 && ch != "\n" && ch != "\t": out += "?"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }
}
