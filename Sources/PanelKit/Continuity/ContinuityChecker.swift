import Foundation

/// Runs the deterministic rules over one or several chapters in chapter order, carrying each
/// character's state (item colours, last setting) forward, so chapter 3 contradicting chapter 1
/// is found. Pure: chapters and databases in, reports out.
public struct ContinuityChecker: Sendable {
    /// Every rule, in the order they run. Adding a rule: a file in `Continuity/` and one line here.
    static let rules: [any ContinuityRule] = [VisualAppearanceRule(), TimelineRule(), LocationRule(), PresenceRule()]

    /// How many established facts a chapter hands on (the model pass reads them).
    static let factLimit = 24

    public init() {}

    /// One report per chapter, in the order given (sort first with `inChapterOrder`).
    public func check(_ chapters: [(chapter: Chapter, database: CharacterDatabase?)]) -> [ContinuityReport] {
        var state = ContinuityState()
        var casts: [String: ContinuityCast] = [:]
        var reports: [ContinuityReport] = []
        for (chapter, database) in chapters {
            // One cast per database file, shared by the chapters that use it.
            let cast = database.map { database in
                if let known = casts[database.path] { return known }
                let made = ContinuityCast(database: database)
                casts[database.path] = made
                return made
            }
            let reading = ContinuityChapter(chapter, database: database, cast: cast)
            var alerts: [ContinuityAlert] = []
            for rule in Self.rules { alerts += rule.check(reading, state: &state) }
            alerts.sort { ($0.conflict.line, $0.conflict.column, $0.id) < ($1.conflict.line, $1.conflict.column, $1.id) }
            reports.append(ContinuityReport(slug: chapter.slug, file: chapter.file, alerts: alerts,
                                            facts: Self.facts(state, reading: reading)))
        }
        return reports
    }

    /// Chapters by their front matter's `chapter:` number, then by file name (`2-x.md` before `10-y.md`).
    public static func inChapterOrder<T>(_ items: [T], chapter: (T) -> Chapter) -> [T] {
        items.enumerated().sorted { a, b in
            let left = chapter(a.element), right = chapter(b.element)
            let l = left.frontMatter?.chapterNumber ?? Int.max, r = right.frontMatter?.chapterNumber ?? Int.max
            if l != r { return l < r }
            let byName = (left.file as NSString).lastPathComponent.compare((right.file as NSString).lastPathComponent, options: .numeric)
            if byName != .orderedSame { return byName == .orderedAscending }
            return a.offset < b.offset
        }.map(\.element)
    }

    /// What holds at the end of a chapter: items shown in panels (the database's need no saying)
    /// and where each character was last seen, sorted, at most `factLimit`.
    static func facts(_ state: ContinuityState, reading: ContinuityChapter) -> [String] {
        var facts: [String] = []
        for (character, items) in state.items.sorted(by: { $0.key < $1.key }) {
            for (_, item) in items.sorted(by: { $0.key < $1.key }) where !item.fromDatabase {
                facts.append("\(reading.name(character)) has a \(item.phrase.lowercased()) (since \(item.site.chapter)/\(item.site.panel))")
            }
        }
        for (character, last) in state.lastSetting.sorted(by: { $0.key < $1.key }) {
            facts.append("\(reading.name(character)) was last seen at \(last.setting) (\(last.site.chapter)/\(last.site.panel))")
        }
        return Array(facts.prefix(factLimit))
    }
}
