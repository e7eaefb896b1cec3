import Foundation

/// The file a learning student saves: a text line `ludus-learner 1`, one line of JSON
/// (student kind, spaces, architecture, settings, parameter count), then the parameters
/// as little-endian IEEE doubles (exact: loading gives the same actions bit for bit).
public struct LearnerFile {
    public static let magic = "ludus-learner 1"
    public var header: [String: Any]
    public var parameters: [Double]

    public init(header: [String: Any], parameters: [Double]) {
        self.header = header
        self.parameters = parameters
    }

    public func write(to path: String) throws {
        var head = header
        head["parameter_count"] = parameters.count
        let json = try JSONSerialization.data(withJSONObject: head, options: [.sortedKeys])
        var data = Data((Self.magic + "\n").utf8)
        data.append(json)
        data.append(Data("\n".utf8))
        parameters.withUnsafeBufferPointer { buffer in
            var littleEndian = buffer.map { $0.bitPattern.littleEndian }
            data.append(Data(bytes: &littleEndian, count: littleEndian.count * 8))
        }
        try data.write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    public static func read(from path: String) throws -> LearnerFile {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let bytes = [UInt8](data)
        guard let first = bytes.firstIndex(of: 10), String(decoding: bytes[..<first], as: UTF8.self) == magic,
              let second = bytes[(first + 1)...].firstIndex(of: 10),
              let header = try JSONSerialization.jsonObject(with: Data(bytes[(first + 1)..<second])) as? [String: Any],
              let count = header["parameter_count"] as? Int
        else { throw SetupError.badFile("\(path) is not a learning student's file (no '\(magic)' header)") }
        let body = bytes[(second + 1)...]
        // Compared without multiplying: a crafted count (2^61) must not overflow.
        guard count >= 0, body.count % 8 == 0, count == body.count / 8 else {
            throw SetupError.badFile("\(path): field parameter_count says \(count) parameters, the file holds \(body.count / 8)"
                                               + (body.count % 8 == 0 ? "" : " and \(body.count % 8) stray byte(s)"))
        }
        var parameters = [Double](repeating: 0, count: count)
        body.withContiguousStorageIfAvailable { raw in
            for i in 0..<count {
                var bits: UInt64 = 0
                for b in 0..<8 { bits |= UInt64(raw[i * 8 + b]) << (8 * UInt64(b)) }
                parameters[i] = Double(bitPattern: UInt64(littleEndian: bits))
            }
        }
        if let bad = parameters.firstIndex(where: { !$0.isFinite }) {
            throw SetupError.badFile("\(path): parameter \(bad) of \(count) is \(parameters[bad]); a student's parameters must be finite")
        }
        return LearnerFile(header: header, parameters: parameters)
    }

    /// The settings a student is rebuilt from, checked before any network is allocated:
    /// an error names the file and the field, and hidden layers that would need more
    /// parameters than the file holds are refused (a crafted header cannot size memory).
    public func settings(path: String, parse: ([String: String]) throws -> [Int]) throws -> [String: String] {
        guard let strings = header["settings"] as? [String: String] else {
            throw SetupError.badFile("\(path): field settings is missing or not an object of strings")
        }
        let hidden: [Int]
        do { hidden = try parse(strings) } catch { throw SetupError.badFile("\(path): field settings: \(error)") }
        var weights = 0
        for (a, b) in zip(hidden, hidden.dropFirst()) {
            weights += a * b  // each width is at most 4096 (LearnerSettings.layers)
            guard weights <= parameters.count else {
                throw SetupError.badFile("\(path): field settings: hidden layers \(hidden) need more parameters than the file's \(parameters.count)")
            }
        }
        return strings
    }

    /// Throws unless `header[key]` equals `expected` (spaces, architecture), naming both.
    public func require(_ key: String, equals expected: Any, path: String) throws {
        let found = header[key]
        let same: Bool
        switch (found, expected) {
        case (let a as String, let b as String): same = a == b
        case (let a as Int, let b as Int): same = a == b
        case (let a as [Int], let b as [Int]): same = a == b
        default: same = false
        }
        guard same else {
            throw SetupError.badFile("\(path) was saved with \(key) = \(found.map { "\($0)" } ?? "nothing"), this agent has \(expected)")
        }
    }

    /// What identifies an MLP student's file: its kind, spaces and architecture. Loading
    /// refuses a file whose identity differs, naming the first difference.
    public struct Identity {
        public var kind: String
        public var observationSpace: String
        public var actionSpace: String
        public var observationSize: Int
        public var hidden: [Int]
        public var settings: [String: String]
    }

    /// Writes the parameters followed by the input statistics (when the student normalises inputs).
    public static func save(_ identity: Identity, parameters: ParameterBuffer, normalizer: RunningNormalizer?, to path: String) throws {
        let header: [String: Any] = ["student": identity.kind, "observation_space": identity.observationSpace,
                                     "action_space": identity.actionSpace, "observation_size": identity.observationSize,
                                     "hidden": identity.hidden, "settings": identity.settings]
        try LearnerFile(header: header, parameters: parameters.array + (normalizer?.state ?? [])).write(to: path)
    }

    /// Reads a file written by ``save(_:parameters:normalizer:to:)`` into `parameters` and
    /// `normalizer`. Throws on I/O errors, a foreign file, or a different identity or size.
    public static func load(_ identity: Identity, parameters: ParameterBuffer, normalizer: RunningNormalizer?, from path: String) throws {
        let file = try read(from: path)
        try file.require("student", equals: identity.kind, path: path)
        try file.require("observation_space", equals: identity.observationSpace, path: path)
        try file.require("action_space", equals: identity.actionSpace, path: path)
        try file.require("hidden", equals: identity.hidden, path: path)
        let expected = parameters.count + (normalizer.map { 1 + 2 * $0.size } ?? 0)
        guard file.parameters.count == expected else {
            throw SetupError.badFile(
                "\(path) holds \(file.parameters.count) numbers, this \(identity.kind) student has \(expected) (parameters and input statistics)")
        }
        parameters.assign(Array(file.parameters[0..<parameters.count]))
        normalizer?.restore(file.parameters[parameters.count...])
    }
}
