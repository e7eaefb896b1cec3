import Foundation
import Ludus
import LudusLua

/// Items of a dataset made a chunk at a time, one chunk ahead of the reader: while Python
/// parses chunk k, a thread of the stream's own makes chunk k+1 (so reading a dataset takes
/// about the time of making it, as `ludus generate` writing it does, and not that plus the
/// parse). Python parses each chunk as it iterates instead of one string for the whole
/// dataset: a 100,000-item dataset is never all in memory as text, and at most one chunk is
/// made that is never read. The chunks, end to end, are the bytes `ludus_dataset_items`
/// returns for the same range: both are `Dataset.writeBytes`, and item `i` depends only on
/// the seed and `i`, not on where a chunk starts or on which thread makes it.
final class DatasetStream: @unchecked Sendable {
    let source: DatasetSource
    let seed: UInt64
    let params: [String: Value]
    let end: Int
    let chunk: Int
    /// The first item not yet handed to the maker thread.
    private var next: Int
    /// The chunk handed out last: valid until the next call or the free.
    private var shown = ChunkBuffer()
    /// The chunk being made on `maker` (touched only there while `making` is set; the
    /// semaphore orders its writes before the reader's swap).
    private var ahead = ChunkBuffer()
    private var making = false
    private let made = DispatchSemaphore(value: 0)
    private let maker = DispatchQueue(label: "ludus.dataset-stream")
    /// A failure ends the stream: every later call reports it again.
    private(set) var failure: Failure?

    var buffer: UnsafeMutableRawPointer? { shown.bytes }
    var length: Int { shown.length }

    init(source: DatasetSource, first: Int, count: Int, seed: UInt64, params: [String: Value], chunk: Int) {
        self.source = source
        self.seed = seed
        self.params = params
        self.chunk = chunk
        next = first
        end = first + count
        makeAhead()
    }

    deinit {
        // The maker holds `self` until it is done, so no chunk is being made here.
        shown.release()
        ahead.release()
    }

    /// The next chunk (empty at the end). On a failure, the buffer holds the items made before
    /// the failing one (as `ludus generate` writes them before its error) and it throws.
    func advance() throws {
        shown.length = 0
        if let failure { throw failure }
        guard making else { return }
        made.wait()
        making = false
        swap(&shown, &ahead)
        if let failed = shown.failure {
            failure = failed
            throw failed
        }
        makeAhead()
    }

    /// Starts making the next chunk on `maker`, if there is one.
    private func makeAhead() {
        guard next < end else { return }
        let first = next, count = min(chunk, end - next)
        next += count
        making = true
        maker.async { [self] in
            ahead.length = 0
            ahead.failure = nil
            do {
                try source.withEnvironments { environments in
                    try Dataset.writeBytes(environments, from: first, count: count, seed: seed, params: params) { ahead.append($0) }
                }
            } catch {
                ahead.failure = Failure(error)
            }
            made.signal()
        }
    }
}

/// A growable malloc'd byte buffer (an Array's storage may not be handed out past
/// `withUnsafeBytes`), reused from chunk to chunk.
private struct ChunkBuffer {
    var bytes: UnsafeMutableRawPointer?
    var length = 0
    var capacity = 0
    var failure: Failure?

    mutating func append(_ part: UnsafeRawBufferPointer) {
        guard let base = part.baseAddress, part.count > 0 else { return }
        if length + part.count > capacity {
            capacity = max(2 * capacity, length + part.count, 1 << 16)
            bytes = realloc(bytes, capacity)!
        }
        (bytes! + length).copyMemory(from: base, byteCount: part.count)
        length += part.count
    }

    mutating func release() {
        free(bytes)
        bytes = nil
    }
}
private func stream(_ handle: UnsafeMutableRawPointer?) throws -> DatasetStream { try Handle.get(handle, as: DatasetStream.self) }

/// A stream over items `first..<first+count` (seed and params as `ludus_dataset_items`),
/// `chunk` items per `ludus_dataset_stream_next` (0: 256 per worker, the batch
/// `ludus generate` makes at a time). What would fail before any item is made (unknown
/// parameter, no `E.item`) fails here. The stream keeps the dataset alive, and starts making
/// its first chunk at once, on a thread of its own.
@_cdecl("ludus_dataset_stream_open")
public func ludus_dataset_stream_open(_ handle: UnsafeMutableRawPointer?, _ first: Int64, _ count: Int64, _ seed: UInt64,
                                      _ params: UnsafePointer<CChar>?, _ chunk: Int64,
                                      _ out: UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
                                      _ error: UnsafeMutablePointer<CChar>?, _ capacity: Int64) -> Int32 {
    guarded(error, capacity) {
        let s = try Handle.get(handle, as: DatasetSource.self)
        let out = try required(out, "out")
        guard first >= 0, count >= 0, chunk >= 0 else { throw Failure(.argument, kind: "bad_argument", "first, count and chunk must be 0 or more") }
        let resolved = try s.spec.parameters.resolve(try object(params, "params"), environment: s.spec.id)
        // No items: only the checks `writeBytes` makes before its first item (E.item exists).
        let workers = try s.withEnvironments { environments in
            try Dataset.writeBytes(environments, from: Int(first), count: 0, seed: seed, params: resolved) { _ in }
            return environments.count
        }
        let size = chunk > 0 ? Int(chunk) : 256 * workers
        out.pointee = Handle.make(DatasetStream(source: s, first: Int(first), count: Int(count), seed: seed, params: resolved, chunk: size))
    }
}

/// The next chunk of JSON lines: `*bytes` points at `*length` bytes (0 at the end) owned by
/// the stream, valid until the next call or `ludus_dataset_stream_free`. On a failure the
/// status and message are those `ludus_dataset_items` gives, and `*bytes`/`*length` still
/// hold the items made before the failing one.
@_cdecl("ludus_dataset_stream_next")
public func ludus_dataset_stream_next(_ handle: UnsafeMutableRawPointer?, _ bytes: UnsafeMutablePointer<UnsafeRawPointer?>?,
                                      _ length: UnsafeMutablePointer<Int64>?,
                                      _ error: UnsafeMutablePointer<CChar>?, _ capacity: Int64) -> Int32 {
    var target: DatasetStream?
    let status = guarded(error, capacity) {
        let s = try stream(handle)
        target = s
        _ = try required(bytes, "bytes")
        _ = try required(length, "length")
        try s.advance()
    }
    if let s = target {
        bytes?.pointee = UnsafeRawPointer(s.buffer)
        length?.pointee = Int64(s.length)
    }
    return status
}

@_cdecl("ludus_dataset_stream_free")
public func ludus_dataset_stream_free(_ handle: UnsafeMutableRawPointer?) { Handle.release(handle) }
