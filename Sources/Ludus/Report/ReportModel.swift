import LudusLua

/// One chart: a Vega-Lite spec (JSON text, data inlined), rendered in the page by the
/// vendored Vega runtime. Data points may carry a `detail` field: clicking one shows it
/// (the episode's seed and params, the command that reproduces it).
public struct ReportChart: Sendable {
    public var title: String
    public var caption: String
    /// Vega-Lite JSON (see ``VegaLite``).
    public var spec: String

    public init(title: String, caption: String = "", spec: String) {
        self.title = title
        self.caption = caption
        self.spec = spec
    }
}

/// A table of figures (already formatted).
public struct ReportTable: Sendable {
    public var caption: String
    public var header: [String]
    public var rows: [[String]]

    public init(caption: String, header: [String], rows: [[String]]) {
        self.caption = caption
        self.header = header
        self.rows = rows
    }
}

/// A group of charts and tables about one run (or one group of runs).
public struct ReportBlock: Sendable {
    public var title: String
    /// Commands that reproduce what is plotted (`ludus teach ... --seed S`).
    public var commands: [String] = []
    /// What is partial or missing.
    public var notes: [String] = []
    public var charts: [ReportChart] = []
    public var tables: [ReportTable] = []

    public init(title: String) { self.title = title }
}

/// One section of the page: a stored run kind (teach, tournament, critic, selfplay, eval).
public struct ReportSection: Sendable {
    /// `teach`, `tournament`, ...: the anchor and the `data-kind` the browser test looks for.
    public var kind: String
    public var title: String
    /// What the section shows, in a sentence.
    public var summary: String
    public var notes: [String] = []
    public var blocks: [ReportBlock] = []

    public init(kind: String, title: String, summary: String) {
        self.kind = kind
        self.title = title
        self.summary = summary
    }

    public var chartCount: Int { blocks.reduce(0) { $0 + $1.charts.count } }
}

/// What `ludus report` found: its sections and, per database, what could not be shown.
public struct Report: Sendable {
    public var databases: [String]
    public var sections: [ReportSection] = []
    /// Problems that concern a whole database (unreadable, not Ludus's, empty).
    public var notes: [String] = []

    public init(databases: [String]) { self.databases = databases }
}

/// A run selected with `--run`: `KIND:ID` (`teach:3`) or a bare id matching any kind.
public struct RunSelection: Sendable, Hashable {
    public var kind: String?
    public var id: Int64

    public init?(_ text: String) {
        let parts = text.split(separator: ":").map(String.init)
        if parts.count == 1, let id = Int64(parts[0]) {
            kind = nil
            self.id = id
        } else if parts.count == 2, let id = Int64(parts[1]), ReportKind(rawValue: parts[0]) != nil {
            kind = parts[0]
            self.id = id
        } else {
            return nil
        }
    }

    /// True when no selection is given or one of them names this run.
    static func admits(_ selections: [RunSelection], kind: ReportKind, id: Int64) -> Bool {
        selections.isEmpty || selections.contains { $0.id == id && ($0.kind == nil || $0.kind == kind.rawValue) }
    }
}

/// The run kinds a report has a section for.
public enum ReportKind: String, Sendable, CaseIterable {
    case teach, tournament, critic, selfplay, eval
}
