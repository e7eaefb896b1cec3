import Foundation
import LudusLua

/// What the LLM agents of one process share: the clients (one per server and settings),
/// the transcript log they record into, and the cache they replay from. Commands set it
/// up (`ludus eval`, `critic`, `tournament`) before agents are made; without a log, agents
/// still play and keep nothing.
public final class LLMSession: @unchecked Sendable {
    /// Whether stored completions answer requests.
    public enum CacheMode: String, Sendable {
        /// Every request goes to the server.
        case off
        /// A request whose hash has a stored completion is answered from it; others go to the server.
        case use
        /// Only stored completions: a request without one is ``LLMError/notCached(hash:)``.
        case only
    }

    public static let shared = LLMSession()

    private let lock = NSLock()
    private var clients: [LLMOptions: ChatClient] = [:]
    private var cached: [String: String] = [:]
    private var log: TranscriptLog?
    public private(set) var cacheMode = CacheMode.off
    /// Counters for the command's summary.
    public private(set) var requests = 0, cacheHits = 0, failures = 0
    public private(set) var totalLatency = 0.0

    public init() {}

    /// Records transcripts into `store` under `run` (e.g. `eval 3`) and, with a cache mode,
    /// loads every stored completion of the database for replay.
    public func attach(store: ResultStore, run: String, cache: CacheMode) throws {
        let stored = cache == .off ? [:] : try store.storedCompletions()
        lock.withLock {
            log = TranscriptLog(store: store, run: run)
            cacheMode = cache
            cached = stored
        }
    }

    /// Writes pending transcripts. Commands call it before they exit (and the log flushes itself every few dozen).
    public func flush() throws { try lock.withLock { log }?.flush() }

    func client(for options: LLMOptions) throws(LLMError) -> ChatClient {
        lock.lock()
        defer { lock.unlock() }
        if let client = clients[options] { return client }
        let client = try ChatClient(options: options)
        clients[options] = client
        return client
    }

    func cachedCompletion(_ hash: String) -> String? {
        lock.withLock { cacheMode == .off ? nil : cached[hash] }
    }

    func record(_ transcript: Transcript) {
        let log = lock.withLock { () -> TranscriptLog? in
            requests += 1
            if transcript.cached { cacheHits += 1 }
            if transcript.failure != nil { failures += 1 }
            totalLatency += transcript.latency
            if let completion = transcript.completion, cached[transcript.requestHash] == nil { cached[transcript.requestHash] = completion }
            return self.log
        }
        log?.append(transcript)
    }

    /// One line for a command's summary: requests, cache hits, mean latency.
    public var summary: String {
        lock.withLock {
            let asked = requests - cacheHits
            let mean = asked > 0 ? totalLatency / Double(asked) * 1000 : 0
            return "llm: \(requests) request(s), \(cacheHits) from the cache, \(failures) failed, mean latency \(String(format: "%.1f", mean)) ms"
        }
    }
}

/// One request and its completion, as stored (table `llm_transcript`).
public struct Transcript: Sendable {
    public var run: String
    public var model: String
    public var settings: String
    public var requestHash: String
    /// The request body sent (JSON: model, messages, sampling settings, response format).
    public var request: String
    public var completion: String?
    public var completionHash: String?
    /// Seconds from request to answer (0 from the cache).
    public var latency: Double
    /// Why no action came of it (an unparsable answer, a dead server), or nil.
    public var failure: String?
    public var cached: Bool
    public var episodeSeed: UInt64
    public var player: Int
    public var step: Int
    /// The loop's own label (`item 3 sample 0`).
    public var tag: String
}

/// Buffers transcripts and writes them to SQLite in batches (thread-safe).
final class TranscriptLog: @unchecked Sendable {
    let store: ResultStore
    let run: String
    private let lock = NSLock()
    private var pending: [Transcript] = []

    init(store: ResultStore, run: String) {
        self.store = store
        self.run = run
    }

    func append(_ transcript: Transcript) {
        var transcript = transcript
        transcript.run = run
        let full = lock.withLock { () -> Bool in
            pending.append(transcript)
            return pending.count >= 32
        }
        if full { try? flush() }
    }

    func flush() throws {
        let batch = lock.withLock { () -> [Transcript] in
            defer { pending.removeAll() }
            return pending
        }
        try store.record(transcripts: batch)
    }
}
