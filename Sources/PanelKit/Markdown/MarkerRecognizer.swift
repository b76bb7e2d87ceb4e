/// A page or panel marker such as `Page 12: The vault`, `PANEL THREE` or `Panel 3 — Night market`.
struct Marker: Sendable, Equatable {
    enum Kind: String, Sendable { case page, panel }

    var kind: Kind
    var number: Int
    /// The text after the separator (`Night market`), if any.
    var title: String?
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
        guard text.count <= 160 else { return nil }
        let lower = text.lowercased()
        let kind: Marker.Kind
        let afterKeyword: Substring
        if lower.hasPrefix("panel") {
            kind = .panel
            afterKeyword = text.dropFirst(5)
        } else if lower.hasPrefix("page") {
            kind = .page
            afterKeyword = text.dropFirst(4)
        } else {
            return nil
        }
        guard let first = afterKeyword.first, first == " " || first == "\t" else { return nil }
        let rest = afterKeyword.drop(while: { $0 == " " || $0 == "\t" })
        guard let (number, remainder) = leadingNumber(rest) else { return nil }
        let tail = remainder.drop(while: { $0 == " " || $0 == "\t" })
        if tail.isEmpty { return Marker(kind: kind, number: number, title: nil) }
        if tail.first == "(" {
            // `Page 2 (four panels)`: a parenthetical note, not a title.
            guard tail.last == ")", !tail.dropFirst().contains("(") else { return nil }
            return Marker(kind: kind, number: number, title: nil)
        }
        guard let separator = tail.first, titleSeparators.contains(separator) else { return nil }
        // A hyphen only separates when spaced (`Panel 3 - x`), so `Panel 3-b` is not a marker.
        if separator == "-", remainder.first != " " && remainder.first != "\t" { return nil }
        // A colon needs a blank after it, so `Panel 2:30 pm` is a time, not a title.
        let afterSeparator = tail.dropFirst().first
        if separator == ":", let next = afterSeparator, next != " " && next != "\t" { return nil }
        let title = tail.dropFirst().trimmingWhitespace()
        return Marker(kind: kind, number: number, title: title.isEmpty ? nil : title)
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
