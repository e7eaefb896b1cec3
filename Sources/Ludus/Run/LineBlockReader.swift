import Foundation

/// Reads a file or a pipe a block of whole lines at a time into one buffer it reuses, so a
/// scoring batch of any size takes bounded memory and its pages are faulted in once: reading
/// a 15 MB batch whole into fresh memory cost an eighth of scoring it.
///
/// The blocks cut the input on newlines only: the lines of the input, as
/// ``Dataset/lineRanges(_:)`` cuts them, are the lines of the blocks in order. Every block but
/// the last ends just before a newline (which belongs to no block); the last block is what
/// follows the last newline, empty when the input ends with one.
public final class LineBlockReader {
    /// Why the input could not be read (the caller words it with the path).
    public struct ReadError: Error, CustomStringConvertible {
        public let path: String
        public let code: Int32
        public var description: String { "cannot read \(path): \(String(cString: strerror(code)))" }
    }

    private let path: String
    private let descriptor: Int32
    private let closesDescriptor: Bool
    private var buffer: UnsafeMutableRawBufferPointer
    /// Bytes of `buffer` holding input: the carried partial line, then what was read after it.
    private var filled = 0
    /// Bytes at the front of `buffer` already handed out (through the newline after them).
    private var handedOut = 0
    private var endOfInput = false
    private var finished = false

    /// Opens `path` ("-": standard input, not closed at the end).
    /// - Throws: ``ReadError`` when the path cannot be opened.
    public init(path: String, blockSize: Int = 1 << 22) throws(ReadError) {
        self.path = path
        if path == "-" {
            descriptor = 0
            closesDescriptor = false
        } else {
            let opened = open(path, O_RDONLY | O_CLOEXEC)
            guard opened >= 0 else { throw ReadError(path: path, code: errno) }
            descriptor = opened
            closesDescriptor = true
        }
        buffer = .allocate(byteCount: max(blockSize, 16), alignment: 16)
    }

    deinit {
        buffer.deallocate()
        if closesDescriptor { close(descriptor) }
    }

    /// Calls `body` with the next block and whether it is the last one; false once the last
    /// block was given. The bytes are valid only while `body` runs.
    /// - Throws: ``ReadError`` when a read fails (a directory, an I/O error), or what `body` throws.
    public func nextBlock(_ body: (UnsafeRawBufferPointer, _ isLast: Bool) throws -> Void) throws -> Bool {
        guard !finished else { return false }
        // The partial line after the last block's newline moves to the front.
        if handedOut > 0 {
            let carried = filled - handedOut
            if carried > 0 { memmove(buffer.baseAddress!, buffer.baseAddress! + handedOut, carried) }
            filled = carried
            handedOut = 0
        }
        var searched = 0
        while true {
            if let newline = lastNewline(from: searched) {
                // A pipe hands out what it has as soon as a line is whole; a file fills the buffer first.
                if endOfInput || filled == buffer.count || isPipe {
                    try body(UnsafeRawBufferPointer(rebasing: buffer[0..<newline]), false)
                    handedOut = newline + 1
                    return true
                }
            } else {
                searched = filled
            }
            if endOfInput {
                finished = true
                try body(UnsafeRawBufferPointer(rebasing: buffer[0..<filled]), true)
                return true
            }
            if filled == buffer.count { grow() }
            try readMore()
        }
    }

    private lazy var isPipe: Bool = {
        var info = stat()
        return fstat(descriptor, &info) == 0 && (info.st_mode & S_IFMT) != S_IFREG
    }()

    /// The offset of the last newline in `buffer[from..<filled]`, if any.
    private func lastNewline(from start: Int) -> Int? {
        // Backwards, byte by byte (no memrchr in Glibc's module): in a full block the last
        // newline is one line from the end.
        var index = filled
        while index > start {
            index -= 1
            if buffer[index] == 0x0A { return index }
        }
        return nil
    }

    /// Doubles the buffer: a line longer than it is read whole.
    private func grow() {
        let larger = UnsafeMutableRawBufferPointer.allocate(byteCount: buffer.count * 2, alignment: 16)
        larger.baseAddress!.copyMemory(from: buffer.baseAddress!, byteCount: filled)
        buffer.deallocate()
        buffer = larger
    }

    private func readMore() throws(ReadError) {
        while true {
            let count = read(descriptor, buffer.baseAddress! + filled, buffer.count - filled)
            if count > 0 {
                filled += count
                return
            }
            if count == 0 {
                endOfInput = true
                return
            }
            if errno == EINTR { continue }
            throw ReadError(path: path, code: errno)
        }
    }
}
