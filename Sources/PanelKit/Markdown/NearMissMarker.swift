/// Text that opens a paragraph or heading like a page or panel marker but is not one (`Pannel 2`,
/// `Panel3`, `Page 2 -`): the writer meant a marker, and the panel would silently merge into the
/// one before. Text that is a marker (`PANEL 3.`, `Panel 1.`) or prose (`Panel 2:30 pm`,
/// `Page 2 of the contract`) is not a near miss.
enum NearMissMarker {
    /// The marker the text seems meant to be (`Panel 3`), or nil.
    static func suggestion(_ raw: String) -> (kind: String, marker: String)? {
        let text = Substring(raw.trimmingCharacters(in: " \t*_"))
        // A marker line that its paragraph did not take (`Page 2 -` over a lower-case line) is a
        // near miss only with a dangling separator: `Page 2` / `of the contract…` is prose.
        if let marker = MarkerRecognizer.recognize(raw) {
            guard let last = text.last, ":-—–".contains(last) else { return nil }
            return (marker.kind == .panel ? "panel" : "page", "\(marker.kind == .panel ? "Panel" : "Page") \(marker.number)")
        }
        let letters = text.prefix { $0.isLetter }
        guard (3...7).contains(letters.count) else { return nil }
        let word = letters.lowercased()
        let kind: String
        if ["panel", "panels"].contains(where: { distance(word, $0) <= 1 }) {
            kind = "panel"
        } else if ["page", "pages"].contains(where: { distance(word, $0) <= 1 }) {
            kind = "page"
        } else {
            return nil
        }
        var rest = text.dropFirst(letters.count).drop { $0 == " " || $0 == "\t" }
        var number: Int?
        let digits = rest.prefix { $0.isASCII && $0.isNumber }
        if !digits.isEmpty, digits.count <= 4 {
            number = Int(digits)
            rest = rest.dropFirst(digits.count)
        } else {
            let lower = rest.lowercased()
            let best = MarkerRecognizer.numberWords.filter { lower.hasPrefix($0.key) }.max { $0.key.count < $1.key.count }
            if let best, !(rest.dropFirst(best.key.count).first?.isLetter ?? false) {
                number = best.value
                rest = rest.dropFirst(best.key.count)
            }
        }
        guard let number else { return nil }
        // After the number: nothing, or a separator with nothing glued to it.
        let tail = rest.drop { $0 == " " || $0 == "\t" }
        if let first = tail.first {
            guard ".:-—–(".contains(first) else { return nil }
            if let second = tail.dropFirst().first, second.isLetter || second.isNumber { return nil }
        }
        return (kind, "\(kind == "panel" ? "Panel" : "Page") \(number)")
    }

    static func diagnostic(_ text: String, location: SourceLocation, file: String) -> Diagnostic? {
        guard let (kind, marker) = suggestion(text) else { return nil }
        let written = text.trimmingCharacters(in: " \t")
        return Diagnostic(.warning, file: file, location: location,
                          message: "`\(written)` looks like a \(kind) marker but is not; write `\(marker)`")
    }

    /// Edit distance, for words of a few letters.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var row = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var previous = row[0]
            row[0] = i
            for j in 1...max(b.count, 1) where !b.isEmpty {
                let saved = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                previous = saved
            }
        }
        return row[b.count]
    }
}
