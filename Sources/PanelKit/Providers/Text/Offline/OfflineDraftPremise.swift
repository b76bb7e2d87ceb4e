/// What the offline draft engine reads in a premise: the people it names (capitalised runs such
/// as `Mira` or `Captain Vell`) and its nouns (the words after an article or a possessive, such
/// as `harbor` in "a harbor town"), in the order written. Nothing is invented: a premise that
/// names nobody gets placeholder roles, one without nouns gets "the world".
struct OfflineDraftPremise: Sendable, Equatable {
    var people: [String]
    var nouns: [String]

    private static let determiners: Set<String> = [
        "a", "an", "the", "her", "his", "their", "its", "our", "my", "your", "this", "that", "these", "those", "every", "some",
        "old", "new", "small", "big", "little", "local",
    ]
    private static let stopwords: Set<String> = [
        "a", "an", "the", "and", "or", "but", "of", "to", "in", "on", "at", "by", "for", "with", "from", "into", "onto", "over",
        "under", "about", "after", "before", "between", "who", "whom", "whose", "which", "that", "this", "these", "those", "is",
        "are", "was", "were", "be", "been", "being", "has", "have", "had", "does", "do", "did", "will", "would", "can", "could",
        "must", "should", "may", "might", "not", "no", "yes", "her", "his", "their", "its", "our", "my", "your", "she", "he",
        "they", "it", "we", "you", "i", "one", "two", "three", "when", "while", "where", "how", "why", "what", "then", "than",
        "so", "if", "as", "up", "down", "out", "off", "very", "just", "only", "also", "too", "more", "most", "less", "least",
        "every", "some", "any", "all", "each", "own", "same", "other", "such", "old", "new", "small", "big", "little", "local",
        "learns", "learn", "finds", "find", "tries", "try", "wants", "want", "needs", "need", "gets", "get", "makes", "make",
        "discovers", "discover", "meets", "meet", "loses", "lose", "wins", "win", "saves", "save", "helps", "help", "must",
    ]
    /// Capitalised words that open sentences without naming anyone.
    private static let notNames: Set<String> = [
        "A", "An", "The", "When", "While", "In", "On", "At", "After", "Before", "During", "One", "Two", "Three", "Every", "Some",
        "This", "That", "Her", "His", "Their", "Its", "Our", "My", "Your", "If", "As", "Once", "Long", "Deep", "Far", "Then",
    ]

    init(_ premise: String) {
        var people: [String] = []
        for run in TextTools.capitalisedRuns(in: premise) {
            var words = run.words
            while let first = words.first, Self.notNames.contains(first) { words.removeFirst() }
            guard !words.isEmpty else { continue }
            let name = words.prefix(3).joined(separator: " ")
            if !people.contains(name) { people.append(name) }
        }
        var nouns: [String] = []
        var previous = ""
        for token in premise.split(whereSeparator: { $0.isWhitespace }) {
            let word = String(token).trimmingCharacters(in: "\"“”‘’'()[]{}.,;:!?—-")
            let lower = word.lowercased()
            defer { previous = lower }
            guard Self.determiners.contains(previous), word.count >= 3, word.first?.isLowercase == true,
                  word.allSatisfy({ $0.isLetter || $0 == "-" }), !Self.stopwords.contains(lower)
            else { continue }
            let noun = lower.hasSuffix("'s") ? String(lower.dropLast(2)) : lower
            if !nouns.contains(noun) { nouns.append(noun) }
        }
        if nouns.isEmpty {
            // No article before any noun: the longest plain words, in the order written.
            let plain = premise.split(whereSeparator: { !$0.isLetter }).map { String($0) }
                .filter { $0.first?.isLowercase == true && $0.count >= 4 && !Self.stopwords.contains($0) }
            let longest = Set(plain.sorted { ($0.count, $1) > ($1.count, $0) }.prefix(3))
            for word in plain where longest.contains(word) && !nouns.contains(word) { nouns.append(word) }
        }
        self.people = people
        self.nouns = nouns.isEmpty ? ["world"] : nouns
    }

    /// The i-th noun, cycling.
    func noun(_ index: Int) -> String { nouns[((index % nouns.count) + nouns.count) % nouns.count] }
}
