/// Why a language-model server could not give an answer. These stop a run (its results so
/// far are kept, and `--resume` continues); an answer that cannot be read as an action is
/// not one of them: it is the agent's forfeit, recorded with the raw text.
public enum LLMError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Nothing listens at the URL (refused, reset, DNS), after every retry.
    case unreachable(url: String, detail: String, attempts: Int)
    /// No answer within the timeout, after every retry.
    case timeout(url: String, seconds: Double, attempts: Int)
    /// The server answered with an HTTP error that retrying does not fix (400, 401, 404...),
    /// or a 429/5xx after every retry.
    case http(url: String, status: Int, body: String, attempts: Int)
    /// The server's answer is not a chat completion.
    case badResponse(url: String, detail: String)
    /// `key_env` names an environment variable that is not set.
    case missingKey(String)
    /// `--cache` in replay-only mode and no stored completion for this request.
    case notCached(hash: String)

    public var description: String {
        switch self {
        case .unreachable(let url, let detail, let attempts):
            return "LLM server at \(url) is unreachable (\(detail)) after \(attempts) attempt(s); is it running?"
        case .timeout(let url, let seconds, let attempts):
            return "LLM server at \(url) gave no answer within \(String(format: "%g", seconds)) s, \(attempts) attempt(s) (raise timeout=SECONDS in the agent spec)"
        case .http(let url, let status, let body, let attempts):
            return "LLM server at \(url) answered HTTP \(status) after \(attempts) attempt(s): \(body.prefix(300))"
        case .badResponse(let url, let detail):
            return "LLM server at \(url) sent something that is not a chat completion: \(detail)"
        case .missingKey(let name):
            return "the API key variable \(name) (key_env) is not set in the environment"
        case .notCached(let hash):
            return "no stored completion for request \(hash) (replaying with --cache=only)"
        }
    }
}
