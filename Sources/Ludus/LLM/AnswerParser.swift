import Foundation
import LudusLua

/// Turns a completion into an action, or says why it cannot (the agent then forfeits,
/// and the raw text is kept with the transcript).
public enum AnswerParser {
    /// - Returns: the action, or a failure reason.
    public static func action(from completion: String, space: Space, legal: [Int], format: LLMOptions.AnswerFormat) -> Result<Action, AgentFailure> {
        func failure(_ reason: String) -> Result<Action, AgentFailure> {
            .failure(AgentFailure(agent: "llm", reason: reason + "; the answer was: " + String(completion.prefix(300)).debugDescription))
        }
        switch space {
        case .discrete:
            guard let a = integerAnswer(completion, format: format) else { return failure("unparsable answer (expected {\"action\": k}, \\boxed{k} or a number on the last line)") }
            guard legal.isEmpty || legal.contains(a) else { return failure("illegal action \(a) (legal: \(legal))") }
            return .success(.discrete(a))
        case .text(let maxLength, _):
            var text = textAnswer(completion, format: format)
            if text.count > maxLength { text = String(text.prefix(maxLength)) }
            return .success(.text(text))
        default:
            return failure("LLM agents play discrete or text actions, not \(space)")
        }
    }

    /// For text actions: `raw` (and `auto`) keep the completion whole unless it holds a
    /// `\boxed{}` (its content is then the answer); `boxed`, `last_line` extract; `json` reads `answer` or `action`.
    static func textAnswer(_ completion: String, format: LLMOptions.AnswerFormat) -> String {
        switch format {
        case .raw, .auto: return lastBoxed(completion) ?? completion.trimmingCharacters(in: .whitespacesAndNewlines)
        case .boxed: return lastBoxed(completion) ?? ""
        case .lastLine: return lastLine(completion)
        case .json:
            let value = jsonObject(completion)
            return value?["answer"].stringValue ?? value?["action"].stringValue ?? ""
        }
    }

    static func integerAnswer(_ completion: String, format: LLMOptions.AnswerFormat) -> Int? {
        if format != .boxed && format != .lastLine, let value = jsonObject(completion) {
            if let a = value["action"].intValue { return a }
            if let s = value["action"].stringValue, let a = Int(s.trimmingCharacters(in: .whitespaces)) { return a }
        }
        if format == .json { return nil }
        if format != .lastLine, let boxed = lastBoxed(completion), let a = Int(boxed.trimmingCharacters(in: .whitespaces)) { return a }
        if format == .boxed { return nil }
        // The last integer on the last non-empty line.
        let line = lastLine(completion)
        var digits = "", last: String?
        for c in line + " " {
            if c.isASCII && (c.isNumber || (c == "-" && digits.isEmpty)) { digits.append(c) } else {
                if digits != "-" && !digits.isEmpty { last = digits }
                digits = ""
            }
        }
        return last.flatMap { Int($0) }
    }

    /// The content of the last `\boxed{...}` (braces balanced), or nil.
    static func lastBoxed(_ text: String) -> String? {
        guard let start = text.range(of: "\\boxed{", options: .backwards) else { return nil }
        var depth = 1, content = ""
        for c in text[start.upperBound...] {
            if c == "{" { depth += 1 } else if c == "}" { depth -= 1; if depth == 0 { return content } }
            content.append(c)
        }
        return nil
    }

    static func lastLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.last { !$0.isEmpty } ?? ""
    }

    /// The whole completion as a JSON object, else the first `{...}` in it that parses.
    static func jsonObject(_ text: String) -> Value? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if let value = try? JSON.decode(trimmed), case .table = value { return value }
        guard let open = trimmed.firstIndex(of: "{"), let close = trimmed.lastIndex(of: "}"), open < close else { return nil }
        if let value = try? JSON.decode(String(trimmed[open...close])), case .table = value { return value }
        return nil
    }
}
