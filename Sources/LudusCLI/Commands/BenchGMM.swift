import ArgumentParser
import Foundation
import Ludus
import LudusLua

/// `ludus bench-gmm FILE` (hidden): times ALP-GMM's refit (EM for k = KMIN...KMAX, lowest
/// AIC kept) on each dataset of FILE, for bench/alpgmm_speed.py to compare with
/// scikit-learn on the same data.
struct BenchGMM: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-gmm",
        abstract: "Time ALP-GMM refits (EM, k = 2..10, AIC) on datasets from a JSON file.",
        discussion: "FILE holds a JSON array of datasets, each an array of rows of numbers. Prints one JSON object per dataset: the chosen k, its AIC, and the mean seconds of one refit over --repeat runs.",
        shouldDisplay: false)

    @Argument(help: "JSON file: [[[x, y, z], ...], ...].") var file: String
    @Option(help: "Timed refits per dataset.") var `repeat`: Int = 5
    @Option(help: "Fewest components.") var kmin: Int = 2
    @Option(help: "Most components.") var kmax: Int = 10
    @Option(help: "Seed of the EM initialisation.") var seed: UInt64 = 0

    func validate() throws {
        guard `repeat` >= 1, kmin >= 1, kmax >= kmin else { throw ValidationError("--repeat >= 1 and 1 <= --kmin <= --kmax") }
    }

    func run() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: file))
        guard let sets = try JSONSerialization.jsonObject(with: data) as? [[[Double]]] else {
            throw ValidationError("\(file): expected a JSON array of datasets (arrays of rows of numbers)")
        }
        for (index, rows) in sets.enumerated() {
            var chosen: GaussianMixture?
            var seconds: [Double] = []
            for _ in 0..<`repeat` {
                var generator = SeededGenerator(seed: SeededGenerator.derive(seed, UInt64(index)))
                let start = DispatchTime.now().uptimeNanoseconds
                let best = GaussianMixture.bestByAIC(fitting: rows, components: kmin...kmax, generator: &generator)
                seconds.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
                chosen = best
            }
            let mean = seconds.reduce(0, +) / Double(seconds.count)
            print("{\"dataset\":\(index),\"k\":\(chosen?.weights.count ?? 0),\"aic\":\(JSON.number(chosen?.aic ?? .nan)),\"seconds\":\(JSON.number(mean)),\"min_seconds\":\(JSON.number(seconds.min()!))}")
        }
    }
}
