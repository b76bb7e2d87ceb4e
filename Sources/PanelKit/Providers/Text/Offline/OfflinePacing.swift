/// The offline engine for the `pacing` template: rule-based notes from the numbers it is given,
/// about what the per-page warnings do not say (runs without a silent beat, a monotonous grid,
/// the page-turn hooks, the pages that work). Deterministic.
enum OfflinePacing {
    static func answer(_ variables: JSONValue) -> JSONValue {
        let pages = (variables["pages"]?.array ?? []).filter { ($0["page"]?.integer ?? 0) > 0 }
        let number = { (page: JSONValue) in page["page"]?.integer ?? 0 }
        let thresholds = variables["thresholds"]
        let wordsIdeal = (thresholds?["words_low"]?.number ?? 30)...(thresholds?["words_high"]?.number ?? 100)
        let panelsIdeal = (thresholds?["panels_low"]?.number ?? 4)...(thresholds?["panels_high"]?.number ?? 6)
        var insights: [PacingInsight] = []

        // The longest run of three or more pages in a row without a silent panel.
        var run: [Int] = [], longest: [Int] = []
        for page in pages {
            if (page["silent_panels"]?.integer ?? 0) == 0 { run.append(number(page)) } else { run = [] }
            if run.count > longest.count { longest = run }
        }
        if longest.count >= 3 {
            insights.append(PacingInsight(
                type: .suggestion, severity: longest.count >= 5 ? .high : .medium, pages: longest,
                message: "Pages \(longest.first!)–\(longest.last!) run \(longest.count) pages without a silent panel.",
                suggestion: "Give the reader one wordless beat in the middle of the run, on a reaction or a place."))
        }

        // The same panel count on every page.
        let counts = Set(pages.map { $0["panels"]?.integer ?? 0 })
        if pages.count >= 4, counts.count == 1, let count = counts.first {
            insights.append(PacingInsight(
                type: .suggestion, severity: .low, pages: pages.map(number),
                message: "Every page has \(count) panels, so no moment is given more room than another.",
                suggestion: "Open up the chapter's key beat: fewer, larger panels on that page."))
        }

        // Page-turn hooks on right-hand pages.
        let odd = variables["odd_pages"]?.array?.compactMap(\.integer) ?? []
        let hooks = variables["hook_pages"]?.array?.compactMap(\.integer) ?? []
        if !odd.isEmpty {
            let missing = odd.filter { !hooks.contains($0) }
            if hooks.count * 2 >= odd.count {
                insights.append(PacingInsight(
                    type: .strength, severity: .low, pages: hooks,
                    message: "\(hooks.count) of \(odd.count) right-hand pages end on a hook, which keeps the pages turning.",
                    suggestion: ""))
            } else {
                insights.append(PacingInsight(
                    type: .suggestion, severity: .medium, pages: missing,
                    message: "Only \(hooks.count) of \(odd.count) right-hand pages end on a hook.",
                    suggestion: "End a right-hand page on a question, a reveal or a \"But…\" caption so the reader turns it."))
            }
        }

        // Pages that sit in both ideal bands.
        let balanced = pages.filter { page in
            wordsIdeal.contains(page["words"]?.number ?? -1) && panelsIdeal.contains(page["panels"]?.number ?? -1)
                && (page["warnings"]?.array ?? []).isEmpty
        }
        if !balanced.isEmpty, balanced.count * 2 >= pages.count {
            insights.append(PacingInsight(
                type: .strength, severity: .low, pages: balanced.map(number),
                message: "\(balanced.count) of \(pages.count) pages sit in the ideal band for both words and panels.",
                suggestion: ""))
        }

        // The densest page, when it is well past the others.
        if let densest = pages.max(by: { ($0["words"]?.integer ?? 0) < ($1["words"]?.integer ?? 0) }), pages.count >= 3 {
            let words = densest["words"]?.integer ?? 0
            let others = pages.filter { number($0) != number(densest) }.map { $0["words"]?.integer ?? 0 }
            let mean = Double(others.reduce(0, +)) / Double(max(others.count, 1))
            if Double(words) > 2 * mean, words > Int(wordsIdeal.upperBound) {
                insights.append(PacingInsight(
                    type: .warning, severity: .medium, pages: [number(densest)],
                    message: "Page \(number(densest)) carries \(words) words, more than twice the other pages' mean.",
                    suggestion: "Move part of its exposition to a quieter page around it."))
            }
        }
        return .object([("insights", .array(insights.prefix(12).map(\.json)))])
    }
}
