import Foundation

/// One chapter's production status: what is written, what the last runs made of it, and
/// whether it will be done by its due date.
public struct ChapterStatus: Sendable {
    public enum State: String, Sendable {
        case done, onTrack = "on track", atRisk = "at risk", noDueDate = "no due date"
    }

    public var file: String
    public var slug: String
    /// Front matter `chapter`, as written.
    public var chapter: String?
    public var title: String?
    public var pages = 0, panels = 0, words = 0
    /// Every panel is in exactly one of these: its latest state (current hash) passed, failed or
    /// forced; never run (no state, or skipped); or stale (its content hash differs from the last run's).
    public var passed = 0, failed = 0, forced = 0, neverRun = 0, stale = 0
    public var imagesCurrent = 0, imagesStale = 0, imagesMissing = 0
    public var costUSD = 0.0
    public var due: CalendarDay?
    public var targetPages: Int?
    /// Pages written ÷ target pages.
    public var progress: Double?
    /// Pages a day over the last 14 days of snapshots (nil without an earlier snapshot).
    public var velocity: Double?
    public var projected: CalendarDay?
    /// Pages a day needed from today to meet the due date.
    public var neededPerDay: Double?
    public var state = State.noDueDate
}

/// `panelproc status`: every chapter found, in chapter order, with the series totals.
public struct ProductionStatus: Sendable {
    public var today: CalendarDay
    public var chapters: [ChapterStatus]

    /// Velocity looks back this many days.
    public static let window = 14

    /// Status from a chapter's parsed text, the trace's panel states and costs, its manifest, and
    /// its snapshots (oldest first, today's excluded).
    static func chapter(_ prepared: PreparedChapter, states: [String: PanelStateSummary], cost: Double,
                        manifest: ImageManifest?, history: [ChapterSnapshot], today: CalendarDay,
                        thresholds: PacingThresholds) -> ChapterStatus
    {
        let chapter = prepared.chapter
        let totals = PacingReport(chapter, thresholds: thresholds).totals
        var status = ChapterStatus(file: prepared.input.displayName, slug: chapter.slug, chapter: chapter.frontMatter?.chapter,
                                   title: chapter.title ?? chapter.frontMatter?.title)
        status.pages = totals.pages
        status.panels = totals.panels
        status.words = totals.words
        status.costUSD = cost
        for panel in chapter.panels {
            switch states[panel.id] {
            case nil: status.neverRun += 1
            case let state? where state.contentHash != panel.contentHash: status.stale += 1
            case let state?:
                switch state.status {
                case "passed": status.passed += 1
                case "failed": status.failed += 1
                case "forced": status.forced += 1
                default: status.neverRun += 1
                }
            }
            if let entry = manifest?.entry(panel.id), entry.status == "generated" || entry.isPinned,
                FileManager.default.fileExists(atPath: (prepared.input.folder as NSString).appendingPathComponent(entry.path))
            {
                // A pinned image is never regenerated, so it is current whatever the text says.
                if entry.isPinned || entry.contentHash == panel.contentHash { status.imagesCurrent += 1 } else { status.imagesStale += 1 }
            } else {
                status.imagesMissing += 1
            }
        }
        status.due = chapter.frontMatter?.due
        status.targetPages = chapter.frontMatter?.targetPages
        project(&status, history: history, today: today)
        return status
    }

    /// Velocity from the oldest snapshot of the last 14 days, the projection, and the verdict.
    static func project(_ status: inout ChapterStatus, history: [ChapterSnapshot], today: CalendarDay) {
        if let base = history.first(where: { $0.day >= today.adding(days: -window) && $0.day < today }) {
            status.velocity = Double(status.pages - base.pages) / Double(today - base.day)
        }
        guard let target = status.targetPages else {
            status.state = .noDueDate
            return
        }
        status.progress = Double(status.pages) / Double(target)
        let remaining = target - status.pages
        if remaining <= 0 {
            status.state = .done
            return
        }
        if let velocity = status.velocity, velocity > 0 {
            status.projected = today.adding(days: Int((Double(remaining) / velocity).rounded(.up)))
        }
        guard let due = status.due else {
            status.state = .noDueDate
            return
        }
        status.neededPerDay = Double(remaining) / Double(max(due - today, 1))
        if let projected = status.projected, projected <= due { status.state = .onTrack } else { status.state = .atRisk }
    }

    // MARK: Output

    public var json: JSONValue {
        func optional(_ value: Double?, _ places: Int) -> JSONValue { value.map { .double(PacingReport.round($0, places)) } ?? .null }
        let rows: [JSONValue] = chapters.map { chapter in
            .object([
                ("file", .string(chapter.file)), ("slug", .string(chapter.slug)), ("chapter", .optional(chapter.chapter)),
                ("title", .optional(chapter.title)), ("pages", .int(chapter.pages)), ("panels", .int(chapter.panels)),
                ("words", .int(chapter.words)),
                ("panel_states", .object([
                    ("passed", .int(chapter.passed)), ("failed", .int(chapter.failed)), ("forced", .int(chapter.forced)),
                    ("never_run", .int(chapter.neverRun)), ("stale", .int(chapter.stale)),
                ])),
                ("images", .object([
                    ("current", .int(chapter.imagesCurrent)), ("stale", .int(chapter.imagesStale)), ("missing", .int(chapter.imagesMissing)),
                ])),
                ("cost_usd", .double(PacingReport.round(chapter.costUSD, 4))), ("due", .optional(chapter.due?.description)),
                ("target_pages", .optional(chapter.targetPages)), ("progress", optional(chapter.progress, 3)),
                ("velocity_pages_per_day", optional(chapter.velocity, 2)),
                ("projected_completion", .optional(chapter.projected?.description)),
                ("needed_pages_per_day", optional(chapter.neededPerDay, 2)), ("state", .string(chapter.state.rawValue)),
            ])
        }
        let total = totals
        return .object([
            ("today", .string(today.description)), ("chapters", .array(rows)),
            ("totals", .object([
                ("chapters", .int(chapters.count)), ("pages", .int(total.pages)), ("panels", .int(total.panels)),
                ("words", .int(total.words)), ("passed", .int(total.passed)), ("failed", .int(total.failed)),
                ("forced", .int(total.forced)), ("never_run", .int(total.neverRun)), ("stale", .int(total.stale)),
                ("images_current", .int(total.imagesCurrent)), ("images_stale", .int(total.imagesStale)),
                ("images_missing", .int(total.imagesMissing)), ("cost_usd", .double(PacingReport.round(total.costUSD, 4))),
                ("target_pages", .optional(total.targetPages)), ("progress", optional(total.progress, 3)), ("at_risk", .int(chapters.filter { $0.state == .atRisk }.count)),
            ])),
        ])
    }

    /// The series totals, as one more row.
    var totals: ChapterStatus {
        var total = ChapterStatus(file: "", slug: "total")
        for chapter in chapters {
            total.pages += chapter.pages; total.panels += chapter.panels; total.words += chapter.words
            total.passed += chapter.passed; total.failed += chapter.failed; total.forced += chapter.forced
            total.neverRun += chapter.neverRun; total.stale += chapter.stale
            total.imagesCurrent += chapter.imagesCurrent; total.imagesStale += chapter.imagesStale
            total.imagesMissing += chapter.imagesMissing; total.costUSD += chapter.costUSD
            if let target = chapter.targetPages { total.targetPages = (total.targetPages ?? 0) + target }
        }
        // Progress over the chapters that have a target.
        if let target = total.targetPages, target > 0 {
            total.progress = Double(chapters.filter { $0.targetPages != nil }.reduce(0) { $0 + $1.pages }) / Double(target)
        }
        return total
    }

    /// The table: one row per chapter, then the series totals; `colour` marks the verdicts (ANSI).
    public func text(colour: Bool) -> String {
        let header = ["chapter", "pages", "panels", "words", "pass", "fail", "forced", "new", "stale", "images ok/stale/missing",
                      "cost", "due", "target", "progress", "pages/day", "projected", "state"]
        var rows: [[String]] = []
        func percent(_ value: Double?) -> String { value.map { "\(Int(($0 * 100).rounded()))%" } ?? "-" }
        func rate(_ value: Double?) -> String { value.map { String(format: "%.2f", $0) } ?? "-" }
        for chapter in chapters {
            let name = [chapter.chapter, chapter.title].compactMap { $0 }.joined(separator: " ")
            var state = chapter.state.rawValue
            if chapter.state == .atRisk, let needed = chapter.neededPerDay { state += String(format: " (needs %.2f/day)", needed) }
            rows.append([name.isEmpty ? chapter.slug : name, "\(chapter.pages)", "\(chapter.panels)", "\(chapter.words)",
                         "\(chapter.passed)", "\(chapter.failed)", "\(chapter.forced)", "\(chapter.neverRun)", "\(chapter.stale)",
                         "\(chapter.imagesCurrent)/\(chapter.imagesStale)/\(chapter.imagesMissing)", String(format: "$%.2f", chapter.costUSD),
                         chapter.due?.description ?? "-", chapter.targetPages.map(String.init) ?? "-", percent(chapter.progress),
                         rate(chapter.velocity), chapter.projected?.description ?? "-", state])
        }
        let total = totals
        let atRisk = chapters.filter { $0.state == .atRisk }.count
        rows.append(["series (\(chapters.count) chapters)", "\(total.pages)", "\(total.panels)", "\(total.words)", "\(total.passed)",
                     "\(total.failed)", "\(total.forced)", "\(total.neverRun)", "\(total.stale)",
                     "\(total.imagesCurrent)/\(total.imagesStale)/\(total.imagesMissing)", String(format: "$%.2f", total.costUSD), "-",
                     total.targetPages.map(String.init) ?? "-",
                     percent(total.progress), "-", "-", "\(atRisk) at risk"])
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                let padding = String(repeating: " ", count: widths[index] - cell.count)
                // Text columns to the left, numbers to the right.
                return [0, 9, 11, 15, 16].contains(index) ? cell + padding : padding + cell
            }.joined(separator: "  ").replacingOccurrences(of: " +$", with: "", options: .regularExpression)
        }
        var lines = ["status on \(today)", line(header)]
        for (index, row) in rows.enumerated() {
            var text = line(row)
            if colour, index < chapters.count {
                let code = switch chapters[index].state {
                case .atRisk: "31"
                case .onTrack, .done: "32"
                case .noDueDate: "0"
                }
                if code != "0", let range = text.range(of: row[16], options: .backwards) {
                    text.replaceSubrange(range, with: "\u{1B}[\(code)m\(row[16])\u{1B}[0m")
                }
            }
            if index == chapters.count { lines.append(String(repeating: "-", count: widths.reduce(0, +) + 2 * (widths.count - 1))) }
            lines.append(text)
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
