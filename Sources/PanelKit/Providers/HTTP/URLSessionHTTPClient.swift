import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `HTTPClient` over URLSession (libcurl on Linux) with its own configuration: the shared
/// session is stuck at 6 connections per host, too few for the pipeline's concurrency.
final class URLSessionHTTPClient: HTTPClient {
    private let session: URLSession

    /// Timeouts are whole seconds, at least 1: libcurl truncates fractions (0.5 s fails at once).
    /// `requestTimeoutSeconds` is the longest silence while waiting for bytes, so it must cover
    /// a whole image generation; `resourceTimeoutSeconds` bounds the entire exchange.
    init(maxConnectionsPerHost: Int = 16, requestTimeoutSeconds: Int = 300, resourceTimeoutSeconds: Int = 600) {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = max(1, maxConnectionsPerHost)
        configuration.timeoutIntervalForRequest = TimeInterval(max(1, requestTimeoutSeconds))
        configuration.timeoutIntervalForResource = TimeInterval(max(1, resourceTimeoutSeconds, requestTimeoutSeconds))
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.urlCache = nil
        configuration.httpCookieStorage = nil
        session = URLSession(configuration: configuration)
    }

    deinit { session.finishTasksAndInvalidate() }

    func send(_ request: HTTPRequest) async throws(HTTPFailure) -> HTTPResponse {
        var urlRequest = URLRequest(url: request.url)
        urlRequest.httpMethod = request.method
        for (name, value) in request.headers { urlRequest.addValue(value, forHTTPHeaderField: name) }
        if !request.body.isEmpty { urlRequest.httpBody = Data(request.body) }

        let running = RunningTask()
        let result: Result<HTTPResponse, HTTPFailure> = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                running.start(session.dataTask(with: urlRequest) { data, response, error in
                    continuation.resume(returning: Self.result(data: data, response: response, error: error))
                })
            }
        } onCancel: {
            running.cancel()
        }
        return try result.get()
    }

    private static func result(data: Data?, response: URLResponse?, error: (any Error)?) -> Result<HTTPResponse, HTTPFailure> {
        if let error { return .failure(failure(error)) }
        guard let http = response as? HTTPURLResponse else {
            return .failure(HTTPFailure(.network, "the answer was not an HTTP response"))
        }
        var headers: [String: String] = [:]
        for (name, value) in http.allHeaderFields {
            headers[String(describing: name).lowercased()] = String(describing: value)
        }
        return .success(HTTPResponse(status: http.statusCode, headers: headers, body: [UInt8](data ?? Data())))
    }

    private static func failure(_ error: any Error) -> HTTPFailure {
        guard let urlError = error as? URLError else { return HTTPFailure(.network, "\(error)") }
        let text = "\(urlError.localizedDescription) (URLError \(urlError.code.rawValue))"
        switch urlError.code {
        case .timedOut: return HTTPFailure(.timeout, text)
        case .cancelled: return HTTPFailure(.cancelled, text)
        default: return HTTPFailure(.network, text)
        }
    }
}

/// The data task of one `send`, so cancelling the Swift task cancels it (it then answers -999).
private final class RunningTask: @unchecked Sendable {
    private let lock = NSLock()
    private var task: URLSessionDataTask?
    private var cancelled = false

    func start(_ task: URLSessionDataTask) {
        let cancelNow = lock.withLock { () -> Bool in
            self.task = task
            return cancelled
        }
        task.resume()
        if cancelNow { task.cancel() }
    }

    func cancel() {
        let task = lock.withLock { () -> URLSessionDataTask? in
            cancelled = true
            return self.task
        }
        task?.cancel()
    }
}
