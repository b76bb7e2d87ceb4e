/// A problem with the user's input that stops processing of that input (exit status 2).
///
/// It always says where (file, line, column when known), what was expected, and what to do.
public struct InputError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    var location: SourceLocation?
    public var message: String
    public var hint: String?

    init(file: String, location: SourceLocation? = nil, message: String, hint: String? = nil) {
        self.file = file
        self.location = location
        self.message = message
        self.hint = hint
    }

    public var description: String {
        var text = file
        if let location { text += ":\(location.line):\(location.column)" }
        text += ": error: \(message)"
        if let hint { text += "\n  hint: \(hint)" }
        return text
    }
}

/// A recoverable problem: reported on stderr, never stops the run.
public struct Diagnostic: Sendable, Equatable, CustomStringConvertible {
    public enum Severity: String, Sendable { case error, warning, note }

    public var severity: Severity
    public var file: String
    var location: SourceLocation?
    public var message: String

    init(_ severity: Severity, file: String, location: SourceLocation?, message: String) {
        self.severity = severity
        self.file = file
        self.location = location
        self.message = message
    }

    public var description: String {
        var text = file
        if let location { text += ":\(location.line):\(location.column)" }
        return text + ": \(severity.rawValue): \(message)"
    }
}
