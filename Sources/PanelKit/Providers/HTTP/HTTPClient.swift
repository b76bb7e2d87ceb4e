import Foundation

/// One HTTP request as providers build it: a value, so request building stays pure and testable.
struct HTTPRequest: Sendable, CustomStringConvertible {
    var method: String
    var url: URL
    /// In the order sent; names as written.
    var headers: [(String, String)]
    var body: [UInt8]

    init(method: String, url: URL, headers: [(String, String)] = [], body: [UInt8] = []) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }

    /// The first value of header `name` (case-insensitive).
    func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.0.lowercased() == wanted }?.1
    }

    /// Method, URL and headers with credentials blanked (never the body), should one be printed.
    var description: String {
        ([method + " " + url.absoluteString] + Redaction().redact(headers: headers).map { "\($0): \($1)" })
            .joined(separator: "\n")
    }
}

/// A response of any status: HTTP error statuses are answers, not failures.
struct HTTPResponse: Sendable, Equatable {
    var status: Int
    /// Header names lower-cased.
    var headers: [String: String]
    var body: [UInt8]

    init(status: Int, headers: [String: String] = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { first, _ in first })
        self.body = body
    }

    var bodyText: String { String(decoding: body, as: UTF8.self) }
}

/// Why no HTTP response arrived.
struct HTTPFailure: Error, Sendable, Equatable, CustomStringConvertible {
    enum Kind: String, Sendable {
        /// Connection refused or dropped, DNS, TLS: worth retrying.
        case network
        /// No answer in time: worth retrying.
        case timeout
        /// The caller's task was cancelled: not retried.
        case cancelled
    }

    var kind: Kind
    var message: String

    init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    var description: String { "\(kind.rawValue): \(message)" }
}

/// The seam between providers and the network: one request in, one response (of any status) out.
protocol HTTPClient: Sendable {
    func send(_ request: HTTPRequest) async throws(HTTPFailure) -> HTTPResponse
}
