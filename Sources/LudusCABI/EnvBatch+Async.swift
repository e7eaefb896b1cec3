import Foundation
import Ludus
import LudusLua

/// EnvPool's split step: `ludus_batch_send` copies the actions, starts the step on the
/// batch's threads and returns at once; `ludus_batch_recv` waits for it and reports it as
/// `ludus_batch_step` would have. While a step is in flight every other call on the batch
/// is refused (its threads own the environments and the caller's buffers).
final class StepInFlight: @unchecked Sendable {
    let ids: [Int]
    private let finished = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var done = false

    init(ids: [Int]) { self.ids = ids }

    /// Called by the step's thread once every environment has been stepped.
    func finish() {
        lock.withLock { done = true }
        finished.signal()
    }

    /// Whether the step's work is over (a `recv` would not wait).
    var isDone: Bool { lock.withLock { done } }

    func wait() {
        finished.wait()
        // Let a later waiter through too (free after recv).
        finished.signal()
    }
}

extension EnvBatch {
    /// Fails while a `send` has not been collected by `recv`.
    func requireIdle() throws {
        guard flight == nil else {
            throw Failure(.argument, kind: "in_flight", "a step is in flight (send without recv): call recv() first")
        }
    }

    /// Waits for a step in flight, if any (the batch is being freed).
    func waitForFlight() { flight?.wait() }

    /// The action of row `k` read from the caller's arrays, for the batch's action space.
    /// With `copy`, the arrays are copied first (they may change before an asynchronous step runs).
    func actions(discrete: UnsafePointer<Int64>?, vector: UnsafePointer<Double>?, text: UnsafePointer<UInt8>?,
                 textOffsets: UnsafePointer<Int64>?, count: Int = 0, copy: Bool = false) throws -> (Int) -> Action {
        switch spec.actionSpace {
        case .discrete:
            guard let discrete else { throw Failure(.argument, kind: "null", "discrete actions are NULL") }
            if copy {
                let values = Array(UnsafeBufferPointer(start: discrete, count: count))
                return { k in .discrete(Int(values[k])) }
            }
            return { k in .discrete(Int(discrete[k])) }
        case .text:
            guard let text, let textOffsets else { throw Failure(.argument, kind: "null", "text actions are NULL") }
            let read = { (k: Int) -> String in
                let lower = Int(textOffsets[k]), upper = Int(textOffsets[k + 1])
                return String(decoding: UnsafeBufferPointer(start: text + lower, count: max(0, upper - lower)), as: UTF8.self)
            }
            if copy {
                let values = (0..<count).map(read)
                return { k in .text(values[k]) }
            }
            return { k in .text(read(k)) }
        default:
            guard let vector else { throw Failure(.argument, kind: "null", "vector actions are NULL") }
            let width = vectorWidth
            if copy {
                let values = Array(UnsafeBufferPointer(start: vector, count: count * width))
                return { k in .vector(Array(values[(k * width)..<((k + 1) * width)])) }
            }
            return { k in .vector(Array(UnsafeBufferPointer(start: vector + k * width, count: width))) }
        }
    }
}

/// Starts stepping environments `ids[0..<count]` (NULL: all) with the actions of
/// `ludus_batch_step` (copied before it returns) on the batch's threads, and returns at once.
/// Fails (status 3, kind `in_flight`) when a step is already in flight.
@_cdecl("ludus_batch_send")
public func ludus_batch_send(_ handle: UnsafeMutableRawPointer?, _ ids: UnsafePointer<Int64>?, _ count: Int64,
                             _ discrete: UnsafePointer<Int64>?, _ vector: UnsafePointer<Double>?,
                             _ text: UnsafePointer<UInt8>?, _ textOffsets: UnsafePointer<Int64>?,
                             _ error: UnsafeMutablePointer<CChar>?, _ capacity: Int64) -> Int32 {
    guarded(error, capacity) {
        let b = try Handle.get(handle, as: EnvBatch.self)
        guard b.flight == nil else {
            throw Failure(.argument, kind: "in_flight", "send() twice: a step is already in flight; call recv() first")
        }
        let list = try environmentIDs(b, ids, count)
        let action = try b.actions(discrete: discrete, vector: vector, text: text, textOffsets: textOffsets, count: list.count, copy: true)
        let flight = StepInFlight(ids: list)
        b.flight = flight
        let work = UncheckedBox({
            b.step(ids: list, action: action)
            flight.finish()
        })
        DispatchQueue.global(qos: .userInitiated).async { work.value() }
    }
}

/// Waits for the step `ludus_batch_send` started and reports it as `ludus_batch_step` does
/// (5 when some environments failed). Fails (status 3, kind `not_sent`) when none is in flight.
@_cdecl("ludus_batch_recv")
public func ludus_batch_recv(_ handle: UnsafeMutableRawPointer?, _ error: UnsafeMutablePointer<CChar>?, _ capacity: Int64) -> Int32 {
    guarded(error, capacity) {
        let b = try Handle.get(handle, as: EnvBatch.self)
        guard let flight = b.flight else { throw Failure(.argument, kind: "not_sent", "recv() without send(): no step is in flight") }
        flight.wait()
        b.flight = nil
        try partial(b, flight.ids)
    }
}

/// 0: no step in flight; 1: a step was sent and is still running; 2: it has finished and
/// waits for `ludus_batch_recv`. Never blocks.
@_cdecl("ludus_batch_flight")
public func ludus_batch_flight(_ handle: UnsafeMutableRawPointer?) -> Int32 {
    guard let b = try? Handle.get(handle, as: EnvBatch.self), let flight = b.flight else { return 0 }
    return flight.isDone ? 2 : 1
}
