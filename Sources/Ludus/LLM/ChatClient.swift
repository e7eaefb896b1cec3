import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import LudusLua

/// One chat-completions answer.
public struct ChatCompletion: Hashable, Sendable {
    public var content: String
    public var finishReason: String?
    public var promptTokens: Int?
    public var completionTokens: Int?
}

/// A blocking client for `POST BASE_URL/chat/completions` (the OpenAI protocol that vLLM,
/// llama.cpp's server, Ollama and hosted APIs speak), over Foundation's URLSession.
/// Safe to share between threads: each call blocks only its caller, so K threads keep K
/// requests in flight. Retries 429, 5xx, timeouts and refused connections with
/// exponential backoff (a `Retry-After` header of up to 30 s is honoured).
public final class ChatClient: @unchecked Sendable {
    public let options: LLMOptions
    private let session: URLSession
    private let endpoint: URL
    private let key: String?

    /// - Throws: ``LLMError/missingKey(_:)`` when `key_env` names an unset variable.
    public init(options: LLMOptions) throws(LLMError) {
        self.options = options
        key = try options.apiKey()
        endpoint = URL(string: options.baseURL + "/chat/completions")!
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = options.timeout
        configuration.timeoutIntervalForResource = options.timeout
        configuration.httpMaximumConnectionsPerHost = 256
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        session = URLSession(configuration: configuration)
    }

    deinit { session.invalidateAndCancel() }

    /// Sends one request body (a JSON object) and returns the first choice's message.
    /// - Throws: ``LLMError`` once every retry is spent, or at once for errors retrying cannot fix.
    public func complete(body: String) throws(LLMError) -> ChatCompletion {
        let url = endpoint.absoluteString
        var attempt = 0
        while true {
            attempt += 1
            let (data, status, retryAfter, failure) = send(body)
            var retryable: LLMError
            if let failure {
                let code = (failure as? URLError)?.code
                if code == .timedOut {
                    retryable = .timeout(url: url, seconds: options.timeout, attempts: attempt)
                } else {
                    retryable = .unreachable(url: url, detail: (failure as? URLError).map { Self.describe($0) } ?? "\(failure)", attempts: attempt)
                }
            } else if status == 200 {
                return try Self.parse(data, url: url)
            } else {
                let text = String(decoding: data.prefix(2000), as: UTF8.self)
                let error = LLMError.http(url: url, status: status, body: text, attempts: attempt)
                guard status == 429 || status == 408 || (500...599).contains(status) else { throw error }
                retryable = error
            }
            guard attempt <= options.retries else { throw retryable }
            let wait = max(options.backoff * pow(2, Double(attempt - 1)), min(retryAfter ?? 0, 30))
            if wait > 0 { Thread.sleep(forTimeInterval: wait) }
        }
    }

    private func send(_ body: String) -> (Data, Int, Double?, Error?) {
        var request = URLRequest(url: endpoint, timeoutInterval: options.timeout)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        if let key { request.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization") }
        request.httpBody = Data(body.utf8)
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result: (Data, Int, Double?, Error?) = (Data(), 0, nil, nil)
        let task = session.dataTask(with: request) { data, response, error in
            let http = response as? HTTPURLResponse
            let retryAfter = (http?.value(forHTTPHeaderField: "Retry-After")).flatMap(Double.init)
            result = (data ?? Data(), http?.statusCode ?? 0, retryAfter, error)
            done.signal()
        }
        task.resume()
        // URLSession enforces the timeout; the extra margin only guards against a lost callback.
        if done.wait(timeout: .now() + options.timeout + 5) == .timedOut {
            task.cancel()
            return (Data(), 0, nil, URLError(.timedOut))
        }
        return result
    }

    private static func describe(_ error: URLError) -> String {
        switch error.code {
        case .cannotConnectToHost: return "connection refused"
        case .networkConnectionLost: return "connection lost"
        case .cannotFindHost: return "unknown host"
        case .notConnectedToInternet: return "not connected"
        default: return error.localizedDescription
        }
    }

    static func parse(_ data: Data, url: String) throws(LLMError) -> ChatCompletion {
        let value: Value
        do { value = try JSON.decode(utf8: Array(data)) } catch {
            throw .badResponse(url: url, detail: "not JSON: \(String(decoding: data.prefix(200), as: UTF8.self))")
        }
        guard let choice = value["choices"].arrayValue?.first else {
            throw .badResponse(url: url, detail: "no choices in \(JSON.encode(value).prefix(200))")
        }
        let message = choice["message"]
        guard let content = message["content"].stringValue ?? (message["content"].isNil ? "" : nil) else {
            throw .badResponse(url: url, detail: "choices[0].message.content is not a string")
        }
        return ChatCompletion(content: content, finishReason: choice["finish_reason"].stringValue,
                              promptTokens: value["usage"]["prompt_tokens"].intValue,
                              completionTokens: value["usage"]["completion_tokens"].intValue)
    }
}
