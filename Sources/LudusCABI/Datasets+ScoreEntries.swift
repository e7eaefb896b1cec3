import Foundation
import Ludus
import LudusLua

/// Scores `count` answers, answer k against entry `index[k]`: `entries` holds `entry_count`
/// JSON lines (each entry once, however many answers it has: a GRPO group), `answers` is a
/// JSON array of `count` strings. The caller encodes each entry once instead of once per
/// answer; each line scored is `{"item": ENTRY, "answer": ANSWER}`, the line
/// `ludus_dataset_score_batch` (and `ludus score --batch`) would be given, so the scores,
/// statuses and messages are that function's.
@_cdecl("ludus_dataset_score_entries")
public func ludus_dataset_score_entries(_ handle: UnsafeMutableRawPointer?, _ entries: UnsafePointer<CChar>?, _ entryCount: Int64,
                                        _ answers: UnsafePointer<CChar>?, _ index: UnsafePointer<Int64>?, _ count: Int64,
                                        _ scores: UnsafeMutablePointer<Double>?, _ status: UnsafeMutablePointer<Int32>?,
                                        _ messages: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                                        _ error: UnsafeMutablePointer<CChar>?, _ capacity: Int64) -> Int32 {
    guarded(error, capacity) {
        let s = try Handle.get(handle, as: DatasetSource.self)
        let scores = try required(scores, "scores")
        guard count >= 0, entryCount >= 0 else { throw Failure(.argument, kind: "bad_argument", "count and entry_count must be 0 or more") }
        let lines = Array(try bytes(entries, "entries").split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).prefix(Int(entryCount)))
        guard lines.count == Int(entryCount) else { throw Failure(.argument, kind: "bad_argument", "\(entryCount) entries expected, got \(lines.count)") }
        let spans = try AnswerSpans.split(try bytes(answers, "answers"))
        guard spans.count == Int(count) else { throw Failure(.argument, kind: "bad_argument", "\(count) answers expected, got \(spans.count)") }
        let rows = UnsafeBufferPointer(start: count > 0 ? try required(index, "index") : index, count: Int(count))
        if let bad = rows.firstIndex(where: { !(0..<entryCount).contains($0) }) {
            throw Failure(.argument, kind: "bad_argument", "index[\(bad)] is \(rows[bad]), not an entry from 0 to \(entryCount - 1)")
        }
        let head = Array(#"{"item": "#.utf8), middle = Array(#", "answer": "#.utf8)
        try s.scoreRows(Int(count), scores: scores, status: status, messages: messages) { k, line in
            line.append(contentsOf: head)
            line.append(contentsOf: lines[Int(rows[k])])
            line.append(contentsOf: middle)
            line.append(contentsOf: spans[k])
            line.append(UInt8(ascii: "}"))
        }
    }
}

/// The answers' JSON strings, quotes and escapes as written, cut out of a JSON array of
/// strings without decoding them: the line scored carries the caller's own encoding.
enum AnswerSpans {
    static func split(_ text: UnsafeBufferPointer<UInt8>) throws -> [Slice<UnsafeBufferPointer<UInt8>>] {
        let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\")
        func bad(_ why: String) -> Failure { Failure(.argument, kind: "bad_json", "answers must be a JSON array of strings: \(why)") }
        var spans: [Slice<UnsafeBufferPointer<UInt8>>] = []
        var i = text.startIndex
        func skipSpace() { while i < text.endIndex, [0x20, 0x09, 0x0A, 0x0D].contains(text[i]) { i += 1 } }
        skipSpace()
        guard i < text.endIndex, text[i] == UInt8(ascii: "[") else { throw bad("no [") }
        i += 1
        skipSpace()
        if i < text.endIndex, text[i] == UInt8(ascii: "]") { i += 1 } else {
            while true {
                guard i < text.endIndex, text[i] == quote else { throw bad("element \(spans.count) is not a string") }
                let start = i
                i += 1
                while i < text.endIndex, text[i] != quote { i += text[i] == backslash ? 2 : 1 }
                guard i < text.endIndex else { throw bad("unterminated string") }
                i += 1
                spans.append(text[start..<i])
                skipSpace()
                guard i < text.endIndex else { throw bad("no ]") }
                if text[i] == UInt8(ascii: "]") { i += 1; break }
                guard text[i] == UInt8(ascii: ",") else { throw bad("expected , or ] after element \(spans.count - 1)") }
                i += 1
                skipSpace()
            }
        }
        skipSpace()
        guard i == text.endIndex else { throw bad("text after ]") }
        return spans
    }
}
