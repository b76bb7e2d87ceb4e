import Foundation

/// Keeps API keys out of everything a provider writes: error messages, attempt records, traces.
struct Redaction: Sendable, Equatable {
    static let placeholder = "[redacted]"
    /// Headers whose values are credentials (lower-case).
    static let sensitiveHeaders: Set<String> = ["authorization", "proxy-authorization", "x-goog-api-key", "api-key"]

    /// Longest first, so a secret containing another is replaced whole.
    let secrets: [String]

    /// Empty secrets are ignored (a missing key must not blank every message).
    init(secrets: [String] = []) {
        self.secrets = Array(Set(secrets.filter { !$0.isEmpty })).sorted { ($0.utf8.count, $0) > ($1.utf8.count, $1) }
    }

    /// `text` with every occurrence of a secret replaced by `[redacted]`.
    func redact(_ text: String) -> String {
        var out = text
        for secret in secrets where out.contains(secret) {
            out = out.replacingOccurrences(of: secret, with: Self.placeholder)
        }
        return out
    }

    /// Credential headers' values replaced whole; other values cleaned of secrets.
    func redact(headers: [(String, String)]) -> [(String, String)] {
        headers.map { name, value in
            (name, Self.sensitiveHeaders.contains(name.lowercased()) ? Self.placeholder : redact(value))
        }
    }
}
