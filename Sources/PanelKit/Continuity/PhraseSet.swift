/// Phrases of folded words, found in a sentence by their first word: one dictionary look-up per
/// word of the sentence, whatever the number of phrases.
struct PhraseSet: Sendable {
    private let byFirst: [String: [[String]]]

    init(_ phrases: [[String]]) {
        var byFirst: [String: [[String]]] = [:]
        // Longest first, so `changes into` wins over `changes`.
        for phrase in phrases.sorted(by: { $0.count > $1.count }) where !phrase.isEmpty { byFirst[phrase[0], default: []].append(phrase) }
        self.byFirst = byFirst
    }

    /// The phrase starting at token `index`, if any.
    func match(in sentence: ContinuitySentence, at index: Int) -> [String]? {
        byFirst[sentence.tokens[index].word]?.first { sentence.has($0, at: index) }
    }

    /// The first place a phrase starts, and which.
    func first(in sentence: ContinuitySentence) -> (index: Int, phrase: [String])? {
        for index in sentence.tokens.indices {
            if let phrase = match(in: sentence, at: index) { return (index, phrase) }
        }
        return nil
    }

    func occurs(in sentence: ContinuitySentence) -> Bool { first(in: sentence) != nil }
}
