import Foundation

/// One continuity problem: what kind, how bad, where the fact was established (`source`) and
/// where it is contradicted (`conflict`), and which rule (or the model) found it.
///
/// The `id` is a hash of the type, the two panels and the conflicting facts (never of line
/// numbers or wording), so it survives unrelated edits and a decision recorded against it in
/// `continuity.yml` keeps holding.
public struct ContinuityAlert: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case characterState = "character_state", timeline, visual, knowledge, location
        case plotThread = "plot_thread", relationship, presence
    }

    public enum Severity: String, Sendable, CaseIterable, Comparable {
        case critical, high, medium, low

        /// critical is the highest.
        var rank: Int { Self.allCases.firstIndex(of: self)! }
        public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank > rhs.rank }
    }

    /// Whether the writer decided about the alert in `continuity.yml`.
    public enum Status: String, Sendable { case open, intentional, dismissed }

    /// A place in the chapters: a panel (`p01-03`, or `database` for the character database), its
    /// file and line.
    public struct Site: Sendable, Equatable {
        /// The chapter's slug (empty for the database).
        public var chapter: String
        public var panel: String
        public var file: String
        public var line: Int
        public var column: Int

        var json: JSONValue {
            .object([("chapter", .string(chapter)), ("panel", .string(panel)), ("file", .string(file)), ("line", .int(line))])
        }

        /// How the id names the place: `01-paper/p01-03`, `database`.
        var key: String { chapter.isEmpty ? panel : chapter + "/" + panel
        }
    }

    public var id: String
    public var type: Kind
    public var severity: Severity
    public var title: String
    public var description: String
    public var source: Site
    public var conflict: Site
    public var suggestedFix: String
    /// The rule's id (`visual.appearance`) or `model`.
    public var foundBy: String
    /// The conflicting facts the id is made of (`mira`, `raincoat`, `yellow`, `blue`).
    var facts: [String]
    public var status: Status = .open
    /// The note recorded with the decision, if any.
    public var note: String?

    init(type: Kind, severity: Severity, title: String, description: String, source: Site, conflict: Site,
         suggestedFix: String, foundBy: String, facts: [String])
    {
        self.id = Self.id(type: type, panels: [source.key, conflict.key], facts: facts)
        self.type = type
        self.severity = severity
        self.title = title
        self.description = description
        self.source = source
        self.conflict = conflict
        self.suggestedFix = suggestedFix
        self.foundBy = foundBy
        self.facts = facts
    }

    /// The first 12 hex digits of SHA-256 over the type, the panels and the facts, one a line.
    static func id(type: Kind, panels: [String], facts: [String]) -> String {
        let text = ([type.rawValue] + panels + facts.map(TextTools.fold)).joined(separator: "\n")
        return String(SHA256.hex(text).prefix(12))
    }

    public var isOpen: Bool { status == .open }

    /// `ch.md:41:1: warning: visual: Mira's raincoat is blue here … (p01-01) [continuity c3f9…]`.
    public var diagnostic: Diagnostic {
        var message = "\(type.rawValue): \(title) (\(conflict.panel)) [continuity \(id)]"
        if status != .open { message += " (\(status.rawValue)\(note.map { ": " + $0 } ?? ""))" }
        return Diagnostic(status == .open ? .warning : .note, file: conflict.file,
                          location: SourceLocation(line: conflict.line, column: conflict.column), message: message)
    }

    var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("id", .string(id)), ("type", .string(type.rawValue)), ("severity", .string(severity.rawValue)),
            ("title", .string(title)), ("description", .string(description)), ("source", source.json),
            ("conflict", conflict.json), ("suggested_fix", .string(suggestedFix)), ("found_by", .string(foundBy)),
            ("status", .string(status.rawValue)),
        ]
        if let note { members.append(("note", .string(note))) }
        return .object(members)
    }
}

/// The alerts of one chapter, in panel order, and the facts it establishes for later chapters.
public struct ContinuityReport: Sendable {
    public var slug: String
    public var file: String
    public var alerts: [ContinuityAlert]
    /// Short sentences later chapters (and the model pass) take as given.
    public var facts: [String]
    /// Whether the model pass ran over this chapter.
    public var modelChecked = false

    public var openAlerts: [ContinuityAlert] { alerts.filter(\.isOpen) }

    /// Open alerts of severity high or critical: what `--strict-continuity` fails on.
    public var blockingAlerts: [ContinuityAlert] { openAlerts.filter { $0.severity >= .high } }

    /// `continuity.json`: every alert (decided ones with their status) and the established facts.
    public var json: JSONValue {
        .object([
            ("chapter", .string(slug)), ("file", .string(file)), ("model_checked", .bool(modelChecked)),
            ("open", .int(openAlerts.count)), ("alerts", .array(alerts.map(\.json))),
            ("facts", .array(facts.map(JSONValue.string))),
        ])
    }
}
