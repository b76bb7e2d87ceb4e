import Foundation

/// Theme by keyword scoring over the taxonomy: the teaching point counts double.
enum OfflineTheme {
    static func answer(_ variables: JSONValue) -> JSONValue {
        var weighted: [(String, Double)] = []
        func add(_ text: String, weight: Double) {
            for word in TextTools.words(text) { weighted.append((TextTools.stem(word), weight)) }
        }
        add(variables["scene"]?.string ?? "", weight: 1)
        add(variables["teaching_point"]?.string ?? "", weight: 2)
        add(variables["mood"]?.string ?? "", weight: 1)
        for line in variables["dialogue"]?.array ?? [] { add(line["text"]?.string ?? "", weight: 1) }

        let themes = variables["taxonomy"]?.array ?? []
        var scores: [(name: String, score: Double, hits: [String])] = []
        for theme in themes {
            let keywords = (theme["keywords"]?.string ?? "").split(separator: ",").map { TextTools.stem(TextTools.fold($0.trimmingWhitespace())) }
            var score = 0.0
            var hits: [String] = []
            for (word, weight) in weighted where keywords.contains(word) {
                score += weight
                if !hits.contains(word) { hits.append(word) }
            }
            scores.append((theme["name"]?.string ?? "", score, hits))
        }
        let total = scores.reduce(0) { $0 + $1.score }
        guard let best = scores.enumerated().max(by: { a, b in
            a.element.score < b.element.score || (a.element.score == b.element.score && a.offset > b.offset)
        })?.element, best.score > 0 else {
            let fallback = themes.last?["name"]?.string ?? "everyday"
            return .object([("theme", .string(fallback)), ("confidence", .double(0)),
                            ("rationale", .string("no keyword of any theme appears in the panel"))])
        }
        let share = best.score / total
        let strength = min(1, best.score / 4)
        let confidence = ((share + strength) / 2 * 100).rounded() / 100
        return .object([("theme", .string(best.name)), ("confidence", .double(confidence)),
                        ("rationale", .string("keywords: \(best.hits.joined(separator: ", "))"))])
    }
}
