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
        else { throw EnvironmentError.unsupported("\(path) is not a learning student's file (no '\(magic)' header)") }
        let body = bytes[(second + 1)...]
        guard body.count == count * 8 else {
            throw EnvironmentError.unsupported("\(path): header says \(count) parameters, file holds \(body.count / 8)")
        }
        var parameters = [Double](repeating: 0, count: count)
        body.withContiguousStorageIfAvailable { raw in
            for i in 0..<count {
                var bits: UInt64 = 0
                for b in 0..<8 { bits |= UInt64(raw[i * 8 + b]) << (8 * UInt64(b)) }
                parameters[i] = Double(bitPattern: UInt64(littleEndian: bits))
            }
        }
        return LearnerFile(header: header, parameters: parameters)
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
            throw EnvironmentError.unsupported("\(path) was saved with \(key) = \(found.map { "\($0)" } ?? "nothing"), this agent has \(expected)")
        }
    }
}
