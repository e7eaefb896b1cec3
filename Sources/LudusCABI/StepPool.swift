import CLuaShim
import Foundation
import Synchronization

/// The threads one batch steps on, kept from call to call (EnvPool's way). `run(count, body)`
/// splits `0..<count` into one contiguous share per thread, the calling thread taking the
/// first (each environment mostly stays on one core, its VM in that core's cache); a thread
/// done with its share takes what is left of the others', and `run` returns once every index
/// ran. Between calls the helpers spin for a while before they sleep, so a Python loop that
/// steps again within that window hands them the next step without waking a thread:
/// `DispatchQueue.concurrentPerform` woke one per call, late enough that the caller often
/// stepped every share itself (2 threads ran 1.2x one).
///
/// `run` waits for the indices, not for the helpers: on a busy machine a helper may not be
/// scheduled for milliseconds, and the caller then steps its share too and returns without
/// it. A helper joins a call only while the call is open (`active` counts those inside), so
/// one that wakes late finds the call closed and touches nothing of it.
///
/// One caller at a time (the batch refuses concurrent calls); `stop()` ends the helpers.
final class StepPool: @unchecked Sendable {
    let threads: Int
    /// Bumped once per call (and once by `stop`): what the helpers wait for.
    private let generation = Atomic<Int>(0)
    /// The generation of the call helpers may still join, or -1 once its indices all ran.
    private let open = Atomic<Int>(-1)
    /// Helpers inside the current call (joined it and not yet left): `run` returns only
    /// when none is, so none holds `body` after it.
    private let active = Atomic<Int>(0)
    /// Indices of the current call that have run.
    private let done = Atomic<Int>(0)
    private let stopping = Atomic<Bool>(false)
    /// The current call's body and count: written before `open` names the call and read by
    /// the helpers only after they see it open, so that atomic orders them.
    private var body: ((Int) -> Void)?
    private var count = 0
    private var per = 0
    /// Per share, the next index not yet taken: a thread steps its own share from the front,
    /// then takes what is left of the others (an episode's reset makes one share slower).
    private let cursors: [Cursor]
    private let sleepers: [Sleeper]
    private let exited = DispatchGroup()

    /// How long a helper spins for the next call before it sleeps.
    static let spinNanoseconds: UInt64 = 200_000

    /// A share's cursor, alone on its cache line (the threads take indices from each other's).
    private final class Cursor: Sendable {
        let next = Atomic<Int>(0)
        let padding: (Int, Int, Int, Int, Int, Int, Int) = (0, 0, 0, 0, 0, 0, 0)
    }

    private final class Sleeper: Sendable {
        let asleep = Atomic<Bool>(false)
        let wake = DispatchSemaphore(value: 0)
    }

    init(threads: Int) {
        self.threads = max(1, threads)
        sleepers = (1..<max(1, threads)).map { _ in Sleeper() }
        cursors = (0..<max(1, threads)).map { _ in Cursor() }
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

    /// Runs `body(i)` once for every `i` in `0..<count`, on the pool's threads; never throws.
    func run(_ count: Int, _ body: (Int) -> Void) {
        if threads == 1 || count <= 1 {
            for i in 0..<count { body(i) }
            return
        }
        withoutActuallyEscaping(body) { body in
            self.body = body
            self.count = count
            per = (count + threads - 1) / threads
            for (w, cursor) in cursors.enumerated() { cursor.next.store(min(count, w * per), ordering: .relaxed) }
            done.store(0, ordering: .relaxed)
            let call = generation.load(ordering: .relaxed) + 1
            open.store(call, ordering: .sequentiallyConsistent)
            generation.store(call, ordering: .sequentiallyConsistent)
            wakeSleepers()
            done.add(share(0), ordering: .releasing)
            // Wait for the indices a helper took and is still stepping (yield: it was descheduled).
            Self.wait(until: { self.done.load(ordering: .acquiring) == count })
            // Close the call; a helper that joined before this is waited for (it finds nothing
            // left to take), one that joins after sees the call closed and leaves it alone.
            open.store(-1, ordering: .sequentiallyConsistent)
            Self.wait(until: { self.active.load(ordering: .sequentiallyConsistent) == 0 })
            self.body = nil
        }
    }

    /// Spins until `condition` holds, yielding the core after a while.
    private static func wait(until condition: () -> Bool) {
        var spins = 0
        while !condition() {
            spins += 1
            if spins > 4096 { sched_yield() } else { ludus_cpu_relax() }
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

    /// Thread `w`'s work in a call: its own share, then the rest of the others' shares.
    /// Returns how many indices it ran.
    private func share(_ w: Int) -> Int {
        guard let body else { return 0 }
        var ran = 0
        for k in 0..<threads {
            let s = (w + k) % threads
            let upper = min(count, (s + 1) * per)
            while true {
                let i = cursors[s].next.add(1, ordering: .relaxed).oldValue
                if i >= upper { break }
                body(i)
                ran += 1
            }
        }
        return ran
    }

    private func helper(_ w: Int) {
        let sleeper = sleepers[w - 1]
        var seen = 0
        while true {
            var spinningSince: UInt64 = 0
            var spins = 0
            while generation.load(ordering: .acquiring) == seen {
                ludus_cpu_relax()
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
            // Join the call only while it is open: `run` may have finished it without us.
            active.add(1, ordering: .sequentiallyConsistent)
            if open.load(ordering: .sequentiallyConsistent) == seen {
                done.add(share(w), ordering: .releasing)
            }
            active.subtract(1, ordering: .sequentiallyConsistent)
        }
    }
}
