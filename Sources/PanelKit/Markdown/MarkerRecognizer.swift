/// A page or panel marker such as `Page 12: The vault`, `PANEL THREE` or `Panel 3 — Night market`.
struct Marker: Sendable, Equatable {
    enum Kind: String, Sendable { case page, panel }

    var kind: Kind
    var number: Int
    /// The text after the separator (`Night market`), if any.
    var title: String?
    /// A spread's last page: `PAGES TWO–THREE` is page 2 to 3.
    var lastNumber: Int? = nil
    /// The panel count a page header declares (`PAGE ONE (FIVE PANELS)`), and how it is written (`five`).
    var declaredPanels: (count: Int, written: String)? = nil
    /// The marker without its parenthesis or title (`PAGE ONE`), for messages.
    var label: String = ""
    /// True when the text after the separator reads as a sentence (`Panel 1. Mira runs in.`,
    /// `PANEL 2: Close on Theo.`): in a paragraph it is the panel's description, not a title.
    var titleIsSentence: Bool = false

    static func == (lhs: Marker, rhs: Marker) -> Bool {
        lhs.kind == rhs.kind && lhs.number == rhs.number && lhs.title == rhs.title && lhs.lastNumber == rhs.lastNumber
            && lhs.declaredPanels?.count == rhs.declaredPanels?.count && lhs.label == rhs.label
            && lhs.titleIsSentence == rhs.titleIsSentence
    }
}

/// Recognises marker text, wherever it stands (heading of any level, or a paragraph of its own).
enum MarkerRecognizer {
    static let numberWords: [String: Int] = {
        let units = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
        let teens = ["ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
                     "seventeen", "eighteen", "nineteen"]
        var words: [String: Int] = [:]
        for (index, word) in units.enumerated() { words[word] = index + 1 }
        for (index, word) in teens.enumerated() { words[word] = index + 10 }
        words["twenty"] = 20
        for (index, word) in units.enumerated() {
            words["twenty-\(word)"] = 21 + index
            words["twenty \(word)"] = 21 + index
        }
        words["thirty"] = 30
        return words
    }()

    /// Separators between the number and a title: `Panel 3: x`, `Panel 3 — x`, `Panel 3 - x`.
    private static let titleSeparators: [Character] = [":", "—", "–", "-"]

    static func recognize(_ raw: String) -> Marker? {
        // Only ASCII blanks are trimmed, as CommonMark does: `\u{A0}Panel 3` is not a marker.
        let text = raw.trimmingCharacters(in: " \t")
        let lower = text.lowercased()
        let kind: Marker.Kind
        var afterKeyword: Substring
        var spread = false
        if lower.hasPrefix("panel") {
            kind = .panel
            afterKeyword = text.dropFirst(5)
        } else if lower.hasPrefix("pages") {
            kind = .page
            spread = true
            afterKeyword = text.dropFirst(5)
        } else if lower.hasPrefix("page") {
            kind = .page
            afterKeyword = text.dropFirst(4)
        } else {
            return nil
        }
        guard let first = afterKeyword.first, first == " " || first == "\t" else { return nil }
        let rest = afterKeyword.drop(while: { $0 == " " || $0 == "\t" })
        guard var (number, remainder) = leadingNumber(rest) else { return nil }
        var marker = Marker(kind: kind, number: number, title: nil)
        if spread {
            // `PAGES TWO–THREE`, `Pages 2-3`, `PAGES 4 AND 5`: one page entry covering both numbers.
            var range = remainder.drop(while: { $0 == " " || $0 == "\t" })
            if let dash = range.first, "–—-".contains(dash) {
                range = range.dropFirst()
            } else if range.lowercased().hasPrefix("and ") || range.lowercased().hasPrefix("to ") {
                range = range.drop(while: { $0 != " " })
            } else if range.first == "&" {
                range = range.dropFirst()
            } else {
                return nil
            }
            range = range.drop(while: { $0 == " " || $0 == "\t" })
            guard let (last, after) = leadingNumber(range), last > number else { return nil }
            marker.lastNumber = last
            (number, remainder) = (last, after)
        }
        let tail = remainder.drop(while: { $0 == " " || $0 == "\t" })
        marker.label = String(text[..<tail.startIndex]).trimmingCharacters(in: " \t")
        if tail.isEmpty { return marker }
        if tail.first == "(" {
            // `Page 2 (four panels)`: a parenthetical note, not a title.
            guard tail.last == ")", !tail.dropFirst().contains("(") else { return nil }
            marker.declaredPanels = declaredCount(tail.dropFirst().dropLast())
            return text.count <= 160 ? marker : nil
        }
        guard let separator = tail.first, titleSeparators.contains(separator) || separator == "." else { return nil }
        // A hyphen only separates when spaced (`Panel 3 - x`), so `Panel 3-b` is not a marker.
        if separator == "-", remainder.first != " " && remainder.first != "\t" { return nil }
        // A colon or full stop needs a blank after it, so `Panel 2:30 pm` is a time, not a title.
        let afterSeparator = tail.dropFirst().first
        if separator == ":" || separator == ".", let next = afterSeparator, next != " " && next != "\t" { return nil }
        let title = tail.dropFirst().trimmingWhitespace()
        marker.title = title.isEmpty ? nil : title
        marker.titleIsSentence = separator == "." || title.last.map { ".!?…".contains($0) } == true
        // A title is short; a longer text is only a marker as a sentence of description.
        if text.count > 160, !marker.titleIsSentence { return nil }
        return marker
    }

    /// `five panels`, `5 PANELS`, `one panel`: the count a page header declares.
    private static func declaredCount(_ note: Substring) -> (count: Int, written: String)? {
        let trimmed = note.drop(while: { $0 == " " || $0 == "\t" })
        guard let (count, after) = leadingNumber(trimmed) else { return nil }
        let noun = after.trimmingWhitespace().lowercased()
        guard noun == "panels" || noun == "panel" else { return nil }
        return (count, String(trimmed[..<after.startIndex]).lowercased())
    }

    /// A number in digits or words (one..thirty) and what follows it.
    private static func leadingNumber(_ text: Substring) -> (Int, Substring)? {
        let digits = text.prefix(while: { $0.isASCII && $0.isNumber })
        if !digits.isEmpty {
            guard digits.count <= 4, let value = Int(digits) else { return nil }
            let remainder = text.dropFirst(digits.count)
            if let next = remainder.first, next.isLetter || next.isNumber { return nil }
            return (value, remainder)
        }
        let lower = text.lowercased()
        // Longest match first, so `twenty-one` is not read as `twenty`.
        var best: (word: String, value: Int)?
        for (word, value) in numberWords where lower.hasPrefix(word) {
            let end = lower.index(lower.startIndex, offsetBy: word.count)
            if end < lower.endIndex, lower[end].isLetter || lower[end].isNumber { continue }
            if best == nil || word.count > best!.word.count { best = (word, value) }
        }
        guard let best else { return nil }
        return (best.value, text.dropFirst(best.word.count))
    }
}

extension StringProtocol {
    /// The text without leading and trailing white space (spaces, tabs, newlines).
    func trimmingWhitespace() -> String {
        guard let first = firstIndex(where: { !$0.isWhitespace }),
            let last = lastIndex(where: { !$0.isWhitespace })
        else { return "" }
        return String(self[first...last])
    }
}
