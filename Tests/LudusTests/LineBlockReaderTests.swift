import Foundation
import Testing
import Ludus

/// The block reader of `score --batch`: its blocks' lines are the input's lines, whatever the
/// block size, line lengths or final newline; a directory or a missing file is a read error.
@Suite struct LineBlockReaderTests {
    /// The lines `Dataset.lineRanges` cuts from the whole input, and those of the blocks.
    static func lines(of text: String, blockSize: Int) throws -> (whole: [String], blocks: [String], lastFlags: [Bool]) {
        let path = NSTemporaryDirectory() + "ludus-blocks-\(UUID().uuidString).txt"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let bytes = Array(text.utf8)
        let whole = bytes.withUnsafeBytes { buffer in
            Dataset.lineRanges(buffer).map { String(decoding: buffer[$0], as: UTF8.self) }
        }
        let reader = try LineBlockReader(path: path, blockSize: blockSize)
        var blocks: [String] = [], lastFlags: [Bool] = []
        while try reader.nextBlock({ block, isLast in
            blocks += Dataset.lineRanges(block).map { String(decoding: block[$0], as: UTF8.self) }
            lastFlags.append(isLast)
        }) {}
        return (whole, blocks, lastFlags)
    }

    static let inputs: [String] = [
        "", "\n", "\n\n", "one", "one\n", "one\ntwo", "one\ntwo\n",
        String(repeating: "x", count: 100) + "\n" + "short\n" + String(repeating: "y", count: 37),
        (0..<500).map { "line \($0) " + String(repeating: "z", count: $0 % 23) }.joined(separator: "\n"),
        (0..<500).map { "line \($0)" }.joined(separator: "\n") + "\n",
    ]

    @Test(arguments: [16, 17, 64, 1 << 16])
    func blocksCutTheInputsLines(blockSize: Int) throws {
        for text in Self.inputs {
            let (whole, blocks, lastFlags) = try Self.lines(of: text, blockSize: blockSize)
            #expect(blocks == whole, "block size \(blockSize), input \(text.prefix(40).debugDescription)")
            #expect(lastFlags.last == true)
            #expect(lastFlags.dropLast().allSatisfy { !$0 })
        }
    }

    @Test func aDirectoryIsAReadError() throws {
        let reader = try LineBlockReader(path: NSTemporaryDirectory())
        #expect {
            _ = try reader.nextBlock { _, _ in Issue.record("a directory has no blocks") }
        } throws: { error in
            "\(error)".hasPrefix("cannot read \(NSTemporaryDirectory())")
        }
    }

    @Test func aMissingFileIsAnOpenError() {
        #expect {
            _ = try LineBlockReader(path: "/nonexistent/ludus/batch.jsonl")
        } throws: { error in
            "\(error)" == "cannot read /nonexistent/ludus/batch.jsonl: No such file or directory"
        }
    }
}
