import Foundation

/// `continuity.yml` beside the chapters: the alerts the writer decided about.
///
/// ```yaml
/// intentional:
///   - id: 3f9c0a1b2c4d
///     note: Mira borrows Ada's coat for the rain scene
/// dismissed:
///   - 9d8e7f6a5b4c
/// ```
/// A listed alert is silenced (shown again with `--all`). `--accept ID --note …` adds an entry
/// under `intentional:` without touching anything else in the file.
public struct ContinuityDecisions: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var id: String
        public var note: String?
    }

    public static let fileName = "continuity.yml"

    public var intentional: [Entry] = []
    public var dismissed: [Entry] = []

    public init() {}

    /// The file beside `chapter` (a chapter file's path).
    public static func path(besideChapter chapter: String) -> String {
        ((FileIO.absolute(chapter) as NSString).deletingLastPathComponent as NSString).appendingPathComponent(fileName)
    }

    /// Reads the file; none is no decisions. Errors name file:line:col.
    public static func load(path: String) throws(InputError) -> ContinuityDecisions {
        guard FileManager.default.fileExists(atPath: path) else { return ContinuityDecisions() }
        let source = try FileIO.readSource(path: path)
        try InputValidation.validate(source, file: path)
        var decisions = ContinuityDecisions()
        for field in try YAMLFields.read(source, lines: 1..<(source.lineCount + 1), file: path, what: "continuity.yml") {
            switch field.key {
            case "intentional": decisions.intentional = try entries(field)
            case "dismissed": decisions.dismissed = try entries(field)
            default:
                throw InputError(file: path, location: field.keyLocation,
                                 message: "continuity.yml has `intentional` and `dismissed`, not `\(field.key)`",
                                 hint: "list alert ids under intentional: or dismissed:")
            }
        }
        return decisions
    }

    private static func entries(_ field: YAMLFields.Field) throws(InputError) -> [Entry] {
        if field.node.scalar != nil, try field.text() == nil { return [] }
        guard let sequence = field.node.sequence else {
            throw InputError(file: field.file, location: field.location,
                             message: "`\(field.key)` should be a list of alert ids (`- id: 3f9c0a1b2c4d`)")
        }
        var entries: [Entry] = []
        for item in sequence {
            if let id = item.scalar?.string {
                entries.append(Entry(id: id.trimmingWhitespace(), note: nil))
            } else if let mapping = item.mapping, let id = mapping["id"]?.scalar?.string {
                entries.append(Entry(id: id.trimmingWhitespace(), note: mapping["note"]?.scalar?.string))
            } else {
                throw InputError(file: field.file, location: field.location,
                                 message: "each entry of `\(field.key)` is an alert id, or `id:` with an optional `note:`")
            }
        }
        return entries
    }

    /// The decision about `id`, if any (an entry may give a prefix of at least 6 digits).
    func decision(for id: String) -> (ContinuityAlert.Status, String?)? {
        func matches(_ entry: Entry) -> Bool { entry.id.count >= 6 && id.hasPrefix(entry.id.lowercased()) }
        if let entry = intentional.first(where: matches) { return (.intentional, entry.note) }
        if let entry = dismissed.first(where: matches) { return (.dismissed, entry.note) }
        return nil
    }

    /// The reports with each decided alert's status and note set.
    public func apply(to reports: [ContinuityReport]) -> [ContinuityReport] {
        reports.map { report in
            var report = report
            for index in report.alerts.indices {
                if let (status, note) = decision(for: report.alerts[index].id) {
                    report.alerts[index].status = status
                    report.alerts[index].note = note
                }
            }
            return report
        }
    }

    /// The file's text with one more entry under `intentional:` (or `dismissed:`), everything else
    /// as it was: a new list at the end when the file has none.
    public static func adding(_ id: String, note: String?, to list: String = "intentional", in text: String) -> String {
        var entry = "  - id: \(id)\n"
        if let note, !note.isEmpty { entry += "    note: \(quoted(note))\n" }
        var lines = text.components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        guard let header = lines.firstIndex(where: { $0.hasPrefix(list + ":") }) else {
            var out = lines.joined(separator: "\n")
            if !out.isEmpty { out += "\n" }
            return out + "\(list):\n" + entry
        }
        // `intentional: []` becomes a block list.
        if lines[header].dropFirst(list.count + 1).trimmingWhitespace() == "[]" { lines[header] = list + ":" }
        var end = header + 1
        while end < lines.count, lines[end].isEmpty || lines[end].hasPrefix(" ") || lines[end].hasPrefix("-") || lines[end].hasPrefix("#") {
            end += 1
        }
        // Trailing blank lines and comments of the block stay after the new entry.
        var insert = end
        while insert > header + 1, lines[insert - 1].trimmingWhitespace().isEmpty || lines[insert - 1].hasPrefix("#") { insert -= 1 }
        // The new entry is indented like the list's first one (`- id:` or `  - id:`).
        if let first = lines[(header + 1)..<end].first(where: { $0.trimmingWhitespace().hasPrefix("-") }) {
            let indent = String(first.prefix { $0 == " " })
            entry = indent + "- id: \(id)\n" + (note.map { $0.isEmpty ? "" : indent + "  note: \(quoted($0))\n" } ?? "")
        }
        lines.insert(contentsOf: entry.dropLast().components(separatedBy: "\n"), at: insert)
        return lines.joined(separator: "\n") + "\n"
    }

    /// A YAML double-quoted scalar.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for character in text {
            switch character {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default: out.append(character)
            }
        }
        return out + "\""
    }

    /// Adds a decision to the file at `path`, atomically (created when missing).
    public static func record(_ id: String, note: String?, list: String = "intentional", path: String) throws(RunFailure) {
        let current = FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) } ?? ""
        let text = adding(id, note: note, to: list, in: current)
        do { try FileIO.writeAtomically(Array(text.utf8), to: path) } catch { throw .write(error.description) }
    }
}
