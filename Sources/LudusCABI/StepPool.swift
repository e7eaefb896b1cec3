import Foundation
import Synchronization

/// The threads one batch steps on, kept from call to call (EnvPool's way). `run(count, body)`
/// splits `0..<count` into one contiguous share per thread, the calling thread taking the
/// first, and returns once every share is done. Between calls the helpers spin for a while
/// before they sleep, so a Python loop that steps again within that window hands them the
/// next step without waking a thread: `DispatchQueue.concurrentPerform` woke one per call,
/// late enough that the caller often stepped every share itself (2 threads ran 1.2x one).
///
/// One caller at a time (the batch refuses concurrent calls); `stop()` ends the helpers.
final class StepPool: @unchecked Sendable {
    let threads: Int
    /// Bumped once per call (and once by `stop`): what the helpers wait for.
    private let generation = Atomic<Int>(0)
    /// Helpers still running their share of the current call.
    private let pending = Atomic<Int>(0)
    private let stopping = Atomic<Bool>(false)
    /// The current call's body and count: written before `generation` is bumped and read by
    /// the helpers after they see it, so the atomic orders them.
    private var body: ((Int) -> Void)?
    private var count = 0
    private let sleepers: [Sleeper]
    private let exited = DispatchGroup()

    /// How long a helper spins for the next call before it sleeps.
    static let spinNanoseconds: UInt64 = 200_000

    private final class Sleeper: Sendable {
        let asleep = Atomic<Bool>(false)
        let wake = DispatchSemaphore(value: 0)
    }

    init(threads: Int) {
        self.threads = max(1, threads)
        sleepers = (1..<max(1, threads)).map { _ in Sleeper() }
        for w in 1..<self.threads {
            exited.enter()
            let thread = Thread { [self] in
                helper(w)
                exited.leave()
            }
            thread.stackSize = 8 << 20  // the VMs run on it, as on the CLI's threads
            thread.start()
        }
    }

    /// Runs `body(i)` for every `i` in `0..<count`, each thread a contiguous share.
    func run(_ count: Int, _ body: (Int) -> Void) {
        if threads == 1 || count <= 1 {
            for i in 0..<count { body(i) }
            return
        }
        withoutActuallyEscaping(body) { body in
            self.body = body
            self.count = count
            pending.store(threads - 1, ordering: .relaxed)
            generation.add(1, ordering: .sequentiallyConsistent)
            wakeSleepers()
            share(0)
            var spins = 0
            while pending.load(ordering: .acquiring) > 0 {
                spins += 1
                if spins > 4096 { sched_yield() }  // a helper was descheduled: let it run
            }
            self.body = nil
        }
    }

    /// Ends the helpers (the batch is freed) and waits for them to exit.
    func stop() {
        stopping.store(true, ordering: .sequentiallyConsistent)
        generation.add(1, ordering: .sequentiallyConsistent)
        wakeSleepers()
        exited.wait()
    }

    private func wakeSleepers() {
        // A helper that said it sleeps is woken; one that said so but saw the new generation
        // first keeps a spare permit, and its next wait returns at once to look again.
        for sleeper in sleepers where sleeper.asleep.exchange(false, ordering: .sequentiallyConsistent) {
            sleeper.wake.signal()
        }
    }

    private func share(_ w: Int) {
        let per = (count + threads - 1) / threads
        let lower = w * per, upper = min(count, lower + per)
        guard lower < upper, let body else { return }
        for i in lower..<upper { body(i) }
    }

    private func helper(_ w: Int) {
        let sleeper = sleepers[w - 1]
        var seen = 0
        while true {
            var spinningSince: UInt64 = 0
            var spins = 0
            while generation.load(ordering: .acquiring) == seen {
                spins += 1
                if spins & 255 != 0 { continue }
                let now = DispatchTime.now().uptimeNanoseconds
                if spinningSince == 0 { spinningSince = now; continue }
                if now - spinningSince < Self.spinNanoseconds { continue }
                // Sleep, unless a call came in meanwhile (seen through the same total order
                // as the caller's exchange of `asleep`: no wake-up is lost).
                sleeper.asleep.store(true, ordering: .sequentiallyConsistent)
                if generation.load(ordering: .sequentiallyConsistent) == seen { sleeper.wake.wait() }
                sleeper.asleep.store(false, ordering: .sequentiallyConsistent)
                spinningSince = 0
            }
            seen = generation.load(ordering: .acquiring)
            if stopping.load(ordering: .acquiring) { return }
            share(w)
            pending.subtract(1, ordering: .releasing)
        }
    }
}
