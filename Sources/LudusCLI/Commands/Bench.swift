import ArgumentParser
import Foundation
import Ludus

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure steps/s with a random agent; K threads run K independent VMs.")

    @OptionGroup var options: EnvironmentOptions
    @Argument(help: "An environment id or a .lua file.") var environment: String
    @Option(help: "Steps per thread (default 1000000).") var steps: Int?
    @Option(help: "Thread counts to measure, comma separated (e.g. 1,2).") var threads: String = "1"
    @Option(help: ArgumentHelp("Instances each thread steps in turn, one step each (a vector env's share of a thread: 16 for `make_vec` of 32 on 2 threads).", valueName: "N"))
    var envsPerThread: Int = 1
    @Option(name: .customLong("param"), help: ArgumentHelp("A parameter value (repeatable).", valueName: "name=value"))
    var params: [String] = []
    @Option(help: "Seed.") var seed: UInt64 = 0
    @Flag(help: "Copy observations into Swift only when read (a random agent never reads them) instead of every step.")
    var lazyObservations = false
    @Flag(help: "Step through the episode driver with its per-step checks and the trajectory hash, as `ludus.make_vec` does (the binding's own speed leaves them out).")
    var checked = false
    @Option(help: ArgumentHelp("Instead of speed: the resident memory of N instances loaded side by side in this process (each reset and stepped --steps times, 100 by default here).", valueName: "N"))
    var instances: Int?
    @Flag(help: "Print one JSON object per measurement.") var json = false
    @Flag(help: "No progress on standard error.") var quiet = false

    func validate() throws {
        guard (steps ?? 1) >= 1 else { throw ValidationError("--steps must be at least 1") }
        if let instances, instances < 1 { throw ValidationError("--instances must be at least 1") }
        guard envsPerThread >= 1 else { throw ValidationError("--envs-per-thread must be at least 1") }
        if checked && lazyObservations { throw ValidationError("--checked checks every observation: it cannot be lazy") }
        if instances != nil && checked { throw ValidationError("--checked measures speed; --instances measures memory: give one of them") }
        if instances != nil && envsPerThread != 1 { throw ValidationError("--envs-per-thread measures speed; --instances measures memory: give one of them") }
    }

    func run() throws {
        let counts = threads.split(separator: ",").compactMap { Int($0) }
        guard !counts.isEmpty, counts.allSatisfy({ $0 > 0 }) else { throw ValidationError("--threads: positive integers, e.g. 1,2") }
        let location = try options.catalog.resolve(environment)
        let probe = try options.catalog.load(location, limits: options.limits)
        let resolved = try probe.spec.parameters.parse(params, environment: probe.spec.id)
        if let instances {
            let result = try InstanceMemory.measure(instances: instances, steps: steps ?? 100, seed: seed, params: resolved) {
                try options.catalog.load(location, limits: options.limits)
            }
            let resident = String(format: "%.1f", result.residentKiBPerInstance), lua = String(format: "%.1f", result.luaKiBPerInstance)
            if json {
                print("{\"environment\":\"\(probe.spec.id)\",\"instances\":\(instances),\"resident_bytes\":\(result.residentBytes),\"resident_kib_per_instance\":\(resident),\"lua_kib_per_instance\":\(lua)}")
            } else {
                print("\(probe.spec.id): \(instances) instance(s): \(resident) KiB resident each, of which \(lua) KiB in Lua's heap")
            }
            return
        }
        var baseline: Double?
        let progress = ProgressMeter(label: "bench", total: counts.count, unit: "measurements", quiet: quiet)
        progress.update(0)
        defer { progress.finish() }
        for count in counts {
            let result = try Throughput.measure(threads: count, perThread: envsPerThread, steps: steps ?? 1_000_000, seed: seed, params: resolved,
                                                copyObservations: !lazyObservations, checked: checked) {
                try options.catalog.load(location, limits: options.limits)
            }
            progress.advance()
            let scaling = baseline.map { result.stepsPerSecond / $0 } ?? 1
            if baseline == nil { baseline = result.stepsPerSecond }
            if json {
                progress.print("{\"environment\":\"\(probe.spec.id)\",\"threads\":\(count),\"envs_per_thread\":\(envsPerThread),\"checked\":\(checked),\"steps\":\(result.steps),\"episodes\":\(result.episodes),\"seconds\":\(result.seconds),\"steps_per_second\":\(Int(result.stepsPerSecond)),\"cpu_seconds\":\(result.cpuSeconds),\"steps_per_cpu_second\":\(Int(result.stepsPerCPUSecond)),\"scaling\":\(scaling)}")
            } else {
                progress.print(String(format: "%@: %d thread(s), %d steps, %d episodes, %.0f steps/s (x%.2f vs %d thread)",
                             probe.spec.id, count, result.steps, result.episodes, result.stepsPerSecond, scaling, counts[0]))
            }
        }
    }
}
