import Foundation

/// Word-level text operations shared by the stages and the gate. Everything folds case and
/// diacritics, so `Café` and `cafe` are the same word.
enum TextTools {
    private static let posix = Locale(identifier: "en_US_POSIX")

    /// Lower case without diacritics.
    static func fold(_ text: String) -> String {
        // Most text is ASCII, where folding is lower-casing; Foundation's folding costs far more.
        if text.utf8.allSatisfy({ $0 < 0x80 }) { return text.lowercased() }
        return text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: posix).lowercased()
    }

    /// The folded words of `text` (letters and digits; an apostrophe inside a word is kept, so
    /// `Theo's` is one word and `theo` is its stem for matching).
    static func words(_ text: String) -> [String] {
        if text.utf8.allSatisfy({ $0 < 0x80 }) { return asciiWords(text) }
        var words: [String] = []
        var current = ""
        for character in fold(text) {
            if character.isLetter || character.isNumber {
                current.append(character)
            } else if (character == "'" || character == "’"), !current.isEmpty {
                current.append("'")
            } else if !current.isEmpty {
                words.append(current.trimmingCharacters(in: "'"))
                current = ""
            }
        }
        if !current.isEmpty { words.append(current.trimmingCharacters(in: "'")) }
        return words
    }

    /// `words` for ASCII text, on bytes.
    private static func asciiWords(_ text: String) -> [String] {
        var words: [String] = []
        var current: [UInt8] = []
        func flush() {
            while current.last == 0x27 { current.removeLast() }
            if !current.isEmpty { words.append(String(decoding: current, as: UTF8.self)) }
            current.removeAll(keepingCapacity: true)
        }
        for byte in text.utf8 {
            switch byte {
            case 0x61...0x7A, 0x30...0x39: current.append(byte)
            case 0x41...0x5A: current.append(byte + 0x20)
            case 0x27 where !current.isEmpty: current.append(byte)
            default: flush()
            }
        }
        flush()
        return words
    }

    /// Whether `needle` occurs in `haystack`, byte for byte (no Unicode folding: fold first).
    static func containsBytes(_ haystack: String, _ needle: String) -> Bool {
        var haystack = haystack, needle = needle
        return haystack.withUTF8 { hay in
            needle.withUTF8 { pin in
                guard !pin.isEmpty else { return true }
                guard hay.count >= pin.count else { return false }
                let first = pin[0]
                var start = 0
                while start <= hay.count - pin.count {
                    if hay[start] == first {
                        var offset = 1
                        while offset < pin.count, hay[start + offset] == pin[offset] { offset += 1 }
                        if offset == pin.count { return true }
                    }
                    start += 1
                }
                return false
            }
        }
    }

    /// `apples` → `apple`, `writes` → `write`, `theo's` → `theo`: a light stem for keyword matching.
    static func stem(_ word: String) -> String {
        var word = word
        if word.hasSuffix("'s") { word.removeLast(2) }
        if word.count > 4, word.hasSuffix("ies") { return String(word.dropLast(3)) + "y" }
        if word.count > 5, word.hasSuffix("ing") { return String(word.dropLast(3)) }
        if word.count > 4, word.hasSuffix("ed") { return String(word.dropLast(2)) }
        if word.count > 3, word.hasSuffix("s"), !word.hasSuffix("ss") { return String(word.dropLast()) }
        return word
    }

    /// Whether `phrase` occurs in `text` as whole words.
    static func containsPhrase(_ text: String, _ phrase: String) -> Bool {
        let needle = words(phrase).map(stem)
        guard !needle.isEmpty else { return false }
        let haystack = words(text).map(stem)
        guard haystack.count >= needle.count else { return false }
        for start in 0...(haystack.count - needle.count) where Array(haystack[start..<start + needle.count]) == needle {
            return true
        }
        return false
    }

    /// The share of `example`'s word n-grams (n = 5, or the whole example when shorter) that also
    /// occur in `text`: 0 when nothing is repeated, 1 when all of it is.
    static func ngramOverlap(of text: String, with example: String, n: Int = 5) -> Double {
        let exampleWords = words(example)
        // A short example ("gold coins") is a topic, not a sentence to copy: too short to judge.
        guard exampleWords.count >= n else { return 0 }
        let size = n
        let textWords = words(text)
        guard textWords.count >= size else { return 0 }
        func grams(_ list: [String]) -> [String] {
            (0...(list.count - size)).map { list[$0..<$0 + size].joined(separator: " ") }
        }
        let exampleGrams = grams(exampleWords)
        let textGrams = Set(grams(textWords))
        let shared = exampleGrams.filter(textGrams.contains).count
        return Double(shared) / Double(exampleGrams.count)
    }

    /// Sentences of `text`, split after `.`, `!` or `?` followed by a space.
    static func sentences(_ text: String) -> [String] {
        var sentences: [String] = []
        var current = ""
        let characters = Array(text)
        for (index, character) in characters.enumerated() {
            current.append(character)
            let atEnd = index + 1 == characters.count || characters[index + 1] == " "
            if ".!?".contains(character), atEnd {
                sentences.append(current.trimmingWhitespace())
                current = ""
            }
        }
        if !current.trimmingWhitespace().isEmpty { sentences.append(current.trimmingWhitespace()) }
        return sentences
    }

    /// Replaces the first whole-word, case-insensitive occurrence of `phrase`; nil when absent.
    static func replacingFirst(_ phrase: String, in text: String, with replacement: String) -> String? {
        guard !phrase.isEmpty else { return nil }
        var searchStart = text.startIndex
        while let range = text.range(of: phrase, options: [.caseInsensitive], range: searchStart..<text.endIndex) {
            let before = range.lowerBound == text.startIndex ? nil : text[text.index(before: range.lowerBound)]
            let after = range.upperBound == text.endIndex ? nil : text[range.upperBound]
            let isWordCharacter = { (character: Character?) in character.map { $0.isLetter || $0.isNumber } ?? false }
            if !isWordCharacter(before) && !isWordCharacter(after) {
                return text.replacingCharacters(in: range, with: replacement)
            }
            searchStart = text.index(after: range.lowerBound)
        }
        return nil
    }

    /// A run of capitalised words (`At Theo Brandt`), and whether it starts a sentence.
    struct CapitalisedRun: Sendable, Equatable {
        var words: [String]
        var startsSentence: Bool
    }

    /// Runs of capitalised words, split at punctuation that ends a clause.
    static func capitalisedRuns(in text: String) -> [CapitalisedRun] {
        var runs: [CapitalisedRun] = []
        var run: [String] = []
        var runStartsSentence = false
        var sentenceStart = true
        func flush() {
            if !run.isEmpty { runs.append(CapitalisedRun(words: run, startsSentence: runStartsSentence)) }
            run = []
        }
        for token in text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }) {
            var word = String(token)
            let endsSentence = word.last.map { ".!?".contains($0) } ?? false
            let endsClause = word.last.map { ",;:—)".contains($0) } ?? false
            word = word.trimmingCharacters(in: "\"“”‘’'()[]{}.,;:!?—-")
            if word.hasSuffix("'s") || word.hasSuffix("’s") { word = String(word.dropLast(2)) }
            // "I'm", "I'll", "I'd", "I've" look capitalised but are the pronoun, never a name
            // (Gemma 3's rewrites quote dialogue; the gate had called "I'm" an invented character).
            let pronoun = word.count <= 4 && (word.hasPrefix("I'") || word.hasPrefix("I’"))
            let capitalised = !pronoun && word.first?.isUppercase == true && word.dropFirst().contains(where: \.isLowercase)
                && word.allSatisfy { $0.isLetter || $0 == "-" || $0 == "'" }
            if capitalised {
                if run.isEmpty { runStartsSentence = sentenceStart }
                run.append(word)
            } else {
                flush()
            }
            if endsSentence || endsClause { flush() }
            sentenceStart = endsSentence
        }
        flush()
        return runs
    }
}
