#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Ludus
import LudusLua

/// Every `@_cdecl` function returns one of these and never lets a Swift or Lua error
/// cross the boundary: on failure the message goes to the caller's buffer (or, for a
/// batch's environments, to the batch's per-environment error slots).
/// Keep in step with `python/ludus/_ludus.h` and `python/ludus/_native.py`.
enum Status: Int32 {
    case ok = 0
    /// A script failed or broke the contract (syntax, runtime error, time, memory, sandbox).
    case environment = 1
    /// What the caller asked cannot be set up: unknown environment or parameter, bad option.
    case setup = 2
    /// A bad argument from the caller: a null pointer, an index out of range, malformed JSON.
    case argument = 3
    /// An action the environment refuses (outside the space, or illegal) under the `raise` policy.
    case action = 4
    /// A batch call in which some environments failed: see the per-environment status row.
    case partial = 5
}

/// An error on its way to a status and a message.
struct Failure: Error {
    var status: Status
    var kind: String
    var message: String

    init(_ status: Status, kind: String, _ message: String) {
        self.status = status
        self.kind = kind
        self.message = message
    }

    /// Any error of the engine, classified.
    init(_ error: any Error) {
        switch error {
        case let failure as Failure: self = failure
        case let error as EnvironmentError:
            switch error {
            case .parameter, .notFound, .unreadable: self.init(.setup, kind: error.kind, error.description)
            default: self.init(.environment, kind: error.kind, error.description)
            }
        case let error as EpisodeError:
            switch error {
            case .environment(let inner): self.init(inner)
            case .agent: self.init(.action, kind: error.kind, error.description)
            case .observer: self.init(.environment, kind: error.kind, error.description)
            }
        case let error as ParameterError: self.init(.setup, kind: "parameter_error", error.description)
        case let error as SetupError: self.init(.setup, kind: error.kind, error.description)
        case let error as JSONError: self.init(.argument, kind: "bad_json", "\(error)")
        default: self.init(.environment, kind: "error", "\(error)")
        }
    }
}

/// Copies `message` into `buffer` (NUL-terminated, cut at `capacity - 1` bytes on a UTF-8 boundary).
func write(_ message: String, to buffer: UnsafeMutablePointer<CChar>?, capacity: Int64) {
    guard let buffer, capacity > 0 else { return }
    var bytes = Array(message.utf8)
    if bytes.count > Int(capacity) - 1 {
        var cut = Int(capacity) - 1
        while cut > 0 && bytes[cut] & 0xC0 == 0x80 { cut -= 1 }
        bytes = Array(bytes[..<cut])
    }
    bytes.withUnsafeBufferPointer { source in
        buffer.withMemoryRebound(to: UInt8.self, capacity: bytes.count + 1) { target in
            if !source.isEmpty { target.update(from: source.baseAddress!, count: source.count) }
            target[source.count] = 0
        }
    }
}

/// Runs `body`, turning every error into a status and a message in the caller's buffer.
func guarded(_ buffer: UnsafeMutablePointer<CChar>?, _ capacity: Int64, _ body: () throws -> Void) -> Int32 {
    do {
        try body()
        write("", to: buffer, capacity: capacity)
        return Status.ok.rawValue
    } catch {
        let failure = Failure(error)
        write(failure.message, to: buffer, capacity: capacity)
        return failure.status.rawValue
    }
}

/// A C string from the caller, or a failure naming the argument.
func string(_ pointer: UnsafePointer<CChar>?, _ name: String) throws -> String {
    guard let pointer else { throw Failure(.argument, kind: "null", "\(name) is NULL") }
    return String(cString: pointer)
}

/// A pointer the caller must give, or a failure naming it.
func required<T>(_ pointer: T?, _ name: String) throws -> T {
    guard let pointer else { throw Failure(.argument, kind: "null", "\(name) is NULL") }
    return pointer
}

/// A JSON object from the caller (NULL or empty: `{}`).
func object(_ pointer: UnsafePointer<CChar>?, _ name: String) throws -> [String: Value] {
    guard let pointer, pointer.pointee != 0 else { return [:] }
    let value: Value
    do { value = try JSON.decode(String(cString: pointer)) } catch { throw Failure(.argument, kind: "bad_json", "\(name): \(error)") }
    switch value {
    case .table(let fields): return fields
    case .array(let items) where items.isEmpty: return [:]
    default: throw Failure(.argument, kind: "bad_json", "\(name) must be a JSON object, got \(value.typeName)")
    }
}

/// A string for the caller, allocated with malloc: freed with `ludus_string_free`.
func allocate(_ text: String) -> UnsafeMutablePointer<CChar> { allocate(Array(text.utf8)) }

/// UTF-8 bytes for the caller as a NUL-terminated malloc'd string.
func allocate(_ bytes: [UInt8]) -> UnsafeMutablePointer<CChar> {
    let memory = malloc(bytes.count + 1)!.assumingMemoryBound(to: CChar.self)
    bytes.withUnsafeBufferPointer { source in
        memory.withMemoryRebound(to: UInt8.self, capacity: bytes.count + 1) { target in
            if !source.isEmpty { target.update(from: source.baseAddress!, count: source.count) }
            target[source.count] = 0
        }
    }
    return memory
}

/// Frees a string the library handed out (NULL is ignored).
@_cdecl("ludus_string_free")
public func ludus_string_free(_ text: UnsafeMutablePointer<CChar>?) {
    free(text)
}

/// The ABI's version: a caller checks it before anything else.
@_cdecl("ludus_abi_version")
public func ludus_abi_version() -> Int32 { 1 }
