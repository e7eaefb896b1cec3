import Testing
@testable import Ludus
import LudusLua

@Suite struct GaussianMixtureTests {
    static func clusters(seed: UInt64) -> [[Double]] {
        var g = SeededGenerator(seed: seed)
        let centres: [[Double]] = [[0, 0, 0], [5, 5, 0], [0, 5, 5]]
        return (0..<300).map { i in centres[i % 3].map { $0 + 0.3 * g.nextGaussian() } }
    }

    @Test func emFindsTheClustersAndAICPicksTheirNumber() {
        let data = Self.clusters(seed: 3)
        var g = SeededGenerator(seed: 9)
        let fits = (2...6).map { GaussianMixture(fitting: data, components: $0, generator: &g) }
        let best = fits.min { $0.aic < $1.aic }!
        // AIC separates too few components sharply; past the true 3 it may drift (it is AIC, not BIC).
        #expect(fits[0].aic > fits[1].aic + 300, "AIC by k: \(fits.map { ($0.weights.count, Int($0.aic)) })")
        #expect((3...6).contains(best.weights.count))
        for centre in [[0.0, 0, 0], [5.0, 5, 0], [0.0, 5, 5]] {
            let nearest = best.means.map { m in zip(m, centre).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } }.min()!
            #expect(nearest < 0.05)
        }
        #expect(abs(best.weights.reduce(0, +) - 1) < 1e-9)
    }

    @Test func alpGMMSamplesWhereProgressIs() throws {
        let env = try Package.catalog.load("corridor")
        let teacher = ALPGMMTeacher(space: env.spec.parameters)
        var g = SeededGenerator(seed: 4)
        // Returns vary (learning progress) only for short corridors.
        for i in 0..<500 {
            let task = env.spec.parameters.sample(using: &g)
            let short = (task["length"]?.intValue ?? 64) < 16
            teacher.update(task: task, normalizedReturn: short ? Double(i % 2) : 0.3, success: false)
        }
        #expect(teacher.mixture != nil)
        let lengths = (0..<400).map { _ in teacher.sample(using: &g).params["length"]!.intValue! }
        let shortShare = Double(lengths.filter { $0 < 16 }.count) / 400
        // Uniform sampling gives (16 - 2) / 63 = 22%; ALP-GMM should favour the short ones.
        #expect(shortShare > 0.4, "share of short corridors: \(shortShare)")
    }
}
