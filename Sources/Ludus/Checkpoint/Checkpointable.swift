import Foundation
import LudusLua

/// An object whose complete state can be written at an episode boundary and read back
/// into a fresh object made the same way (same spec string, same environment), so that
/// the restored object behaves bit for bit like the original from then on. This is what
/// `--resume` after `kill -9` rests on for `teach`, `selfplay` and `critic`.
///
/// Students and teachers conform. The state is opaque bytes for the caller (the loops
/// store it in the run's SQLite `checkpoint` row); its layout is the conformer's business.
public protocol Checkpointable: AnyObject {
    /// Everything that influences future behaviour: learned parameters, optimiser moments,
    /// input statistics, buffered transitions, random generators, step and generation
    /// counters, replay buffers, fitted models. Called only between episodes (never while
    /// one is being played). Must not change the object.
    /// - Throws: ``CheckpointError/unsupported(_:)`` when the object cannot be checkpointed,
    ///   or an encoding error.
    func checkpoint() throws -> Data

    /// Replaces the object's state with `data` from ``checkpoint()`` of an object made the
    /// same way. Called between episodes.
    /// - Throws: ``CheckpointError`` when the data is not this kind's or does not fit
    ///   (another architecture, another space); the object is then unspecified.
    func restore(from data: Data) throws
}

extension Checkpointable {
    /// Objects without checkpoint support (agents written outside Ludus) cannot be resumed.
    public func checkpoint() throws -> Data { throw CheckpointError.unsupported("\(type(of: self)) has no checkpoint support") }
    public func restore(from data: Data) throws { throw CheckpointError.unsupported("\(type(of: self)) has no checkpoint support") }
}

/// Why a checkpoint could not be written or read back.
public enum CheckpointError: Error, CustomStringConvertible, Equatable {
    /// The object cannot be checkpointed (a custom agent, an external process).
    case unsupported(String)
    /// The bytes are not a checkpoint of this kind, or not of an object built this way.
    case mismatch(kind: String, reason: String)
    /// The bytes could not be decoded.
    case corrupt(kind: String, reason: String)

    public var description: String {
        switch self {
        case .unsupported(let message): return "cannot checkpoint: \(message)"
        case .mismatch(let kind, let reason): return "\(kind) checkpoint does not fit: \(reason)"
        case .corrupt(let kind, let reason): return "\(kind) checkpoint is unreadable: \(reason)"
        }
    }
}

/// Encodes and decodes checkpoint snapshots (JSON; large number arrays travel as
/// ``PackedDoubles``, so every Double is restored with its exact bit pattern).
public enum CheckpointCoder {
    public static func encode<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(value)
    }

    /// - Throws: ``CheckpointError/corrupt(kind:reason:)`` naming `kind`.
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data, kind: String) throws -> T {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        do { return try decoder.decode(type, from: data) } catch {
            throw CheckpointError.corrupt(kind: kind, reason: "\(error)")
        }
    }

    /// Throws ``CheckpointError/mismatch(kind:reason:)`` unless `found == expected`.
    static func require<T: Equatable>(_ found: T, equals expected: T, _ what: String, kind: String) throws {
        guard found == expected else {
            throw CheckpointError.mismatch(kind: kind, reason: "\(what) is \(found) in the checkpoint, \(expected) here")
        }
    }
}

/// Doubles as their little-endian bit patterns (base64 in JSON): exact and compact.
public struct PackedDoubles: Codable, Hashable, Sendable {
    public var bytes: Data

    public init(_ values: [Double]) {
        var bits = values.map { $0.bitPattern.littleEndian }
        bytes = Data(bytes: &bits, count: bits.count * 8)
    }

    public init(_ pointer: UnsafePointer<Double>, count: Int) {
        self.init(Array(UnsafeBufferPointer(start: pointer, count: count)))
    }

    public var count: Int { bytes.count / 8 }

    public var values: [Double] {
        var result = [Double](repeating: 0, count: count)
        bytes.withUnsafeBytes { raw in
            for i in 0..<result.count {
                result[i] = Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)))
            }
        }
        return result
    }

    /// Copies the values into `pointer[0..<count]`.
    /// - Throws: ``CheckpointError/mismatch(kind:reason:)`` when the sizes differ.
    public func copy(into pointer: UnsafeMutablePointer<Double>, count expected: Int, _ what: String, kind: String) throws {
        try CheckpointCoder.require(count, equals: expected, "the size of \(what)", kind: kind)
        let v = values
        v.withUnsafeBufferPointer { if expected > 0 { pointer.update(from: $0.baseAddress!, count: expected) } }
    }
}

/// A ``SeededGenerator``'s four xoshiro256** words.
public struct GeneratorState: Codable, Equatable, Sendable {
    public var words: [UInt64]

    public init(_ generator: SeededGenerator) {
        words = [generator.state.0, generator.state.1, generator.state.2, generator.state.3]
    }

    /// - Throws: ``CheckpointError/corrupt(kind:reason:)`` unless there are four words.
    public func generator(kind: String) throws -> SeededGenerator {
        guard words.count == 4 else { throw CheckpointError.corrupt(kind: kind, reason: "a generator needs 4 words, found \(words.count)") }
        return SeededGenerator(state: (words[0], words[1], words[2], words[3]))
    }
}

/// A ``LuaValue`` with its case kept (`.int(3)` and `.number(3)` stay apart), for task
/// parameters in teacher state.
indirect enum StoredValue: Codable, Hashable {
    case `nil`, bool(Bool), int(Int64), number(PackedDoubles), string(String), array([StoredValue])
    case table([String: StoredValue]), opaque(String)

    init(_ value: LuaValue) {
        switch value {
        case .nil: self = .nil
        case .bool(let b): self = .bool(b)
        case .int(let i): self = .int(i)
        case .number(let d): self = .number(PackedDoubles([d]))
        case .string(let s): self = .string(s)
        case .array(let items): self = .array(items.map(StoredValue.init))
        case .table(let fields): self = .table(fields.mapValues(StoredValue.init))
        case .opaque(let name): self = .opaque(name)
        }
    }

    var value: LuaValue {
        switch self {
        case .nil: return .nil
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .number(let d): return .number(d.values.first ?? 0)
        case .string(let s): return .string(s)
        case .array(let items): return .array(items.map(\.value))
        case .table(let fields): return .table(fields.mapValues(\.value))
        case .opaque(let name): return .opaque(name)
        }
    }
}

extension Dictionary where Key == String, Value == LuaValue {
    var stored: [String: StoredValue] { mapValues(StoredValue.init) }
}

extension Dictionary where Key == String, Value == StoredValue {
    var values: [String: LuaValue] { mapValues(\.value) }
}
