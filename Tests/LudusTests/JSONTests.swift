import Testing
import Ludus
import LudusLua

/// The JSON reader and writer behind datasets, traces and scoring batches.
@Suite struct JSONTests {
    static let values: [(String, Value)] = [
        ("0", .int(0)), ("-0", .int(0)), ("42", .int(42)), ("-17", .int(-17)), ("007", .int(7)),
        ("123456789012345678", .int(123_456_789_012_345_678)),          // past the direct path
        ("-9223372036854775808", .int(Int64.min)),
        ("1.5", .number(1.5)), ("-2e3", .number(-2000)), ("1E-2", .number(0.01)), ("3.0", .number(3)),
        (#""plain""#, .string("plain")), (#""""#, .string("")),
        (#""a\"b\\c\nd\te""#, .string("a\"b\\c\nd\te")),
        (#""\u00e9\ud83d\ude00""#, .string("é😀")), (#""héllo""#, .string("héllo")),
        ("[1, [2, 3], []]", .array([.int(1), .array([.int(2), .int(3)]), .array([])])),
        (#"{"b": true, "a": null, "c": {}}"#, .table(["b": .bool(true), "a": .nil, "c": .table([:])])),
        ("  [ 1 , 2 ]  ", .array([.int(1), .int(2)])),
    ]

    @Test(arguments: values)
    func decodes(_ text: String, _ expected: Value) throws {
        #expect(try JSON.decode(text) == expected)
    }

    @Test(arguments: ["", "-", "1.2.3", "[1,]", "{\"a\" 1}", "\"open", "tru", "12abc", "[1] 2", "{1: 2}"])
    func rejects(_ text: String) {
        #expect(throws: JSONError.self) { try JSON.decode(text) }
    }

    @Test func stringsRoundTrip() throws {
        for text in ["", "plain", "quote \" backslash \\ newline \n tab \t", "\u{01}\u{1f}", "é😀 mixed ascii", String(repeating: "x", count: 5000)] {
            #expect(try JSON.decode(JSON.quote(text)) == .string(text))
        }
    }
}
