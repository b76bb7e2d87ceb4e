/// A panel's prose cut into sentences of words, with the characters each sentence names: what
/// the rules read. Names resolve through the chapter's `RoleResolver` (names and aliases);
/// unknown names are not continuity's business.
struct ContinuitySentence: Sendable {
    enum Kind: Sendable { case scene, caption, notes, setting }

    struct Token: Sendable {
        /// Folded (lower case, no diacritics), without a possessive `'s`.
        var word: String
        /// As written.
        var raw: String
        var capitalised: Bool
        /// `Mira's`, `Theo’s`.
        var possessive: Bool
        /// A comma (or a dash) follows the word.
        var comma: Bool
    }

    /// A character named in the sentence: its id and the tokens its name covers.
    struct Mention: Sendable {
        var character: String
        var tokens: Range<Int>
        var possessive: Bool
    }

    var kind: Kind
    var text: String
    var tokens: [Token]
    var mentions: [Mention] = []

    var words: [String] { tokens.map(\.word) }

    /// The sentences of `text`: cut at `.`, `!`, `?`, `;`, `:` and line breaks.
    static func split(_ text: String, kind: Kind) -> [ContinuitySentence] {
        var sentences: [ContinuitySentence] = []
        var current = ""
        func flush() {
            let trimmed = current.trimmingWhitespace()
            if !trimmed.isEmpty {
                let tokens = tokenize(trimmed)
                if !tokens.isEmpty { sentences.append(ContinuitySentence(kind: kind, text: trimmed, tokens: tokens)) }
            }
            current = ""
        }
        for character in text {
            if ".!?;:\n…".contains(character) {
                flush()
            } else {
                current.append(character)
            }
        }
        flush()
        return sentences
    }

    static func tokenize(_ text: String) -> [Token] {
        var tokens: [Token] = []
        var raw = ""
        func close() {
            guard !raw.isEmpty else { return }
            var word = raw
            var possessive = false
            for suffix in ["'s", "’s", "'", "’"] where word.hasSuffix(suffix) && word.count > suffix.count {
                possessive = suffix.hasSuffix("s") || word.dropLast().hasSuffix("s")
                word = String(word.dropLast(suffix.count))
                break
            }
            word = word.replacingOccurrences(of: "’", with: "'")
            tokens.append(Token(word: TextTools.fold(word), raw: raw, capitalised: raw.first?.isUppercase ?? false,
                                possessive: possessive, comma: false))
            raw = ""
        }
        for character in text {
            if character.isLetter || character.isNumber || ((character == "'" || character == "’" || character == "-") && !raw.isEmpty) {
                raw.append(character)
            } else {
                close()
                if character == "," || character == "—" || character == "–", !tokens.isEmpty { tokens[tokens.count - 1].comma = true }
            }
        }
        close()
        // A trailing hyphen or apostrophe is punctuation.
        for index in tokens.indices {
            while let last = tokens[index].word.last, last == "-" || last == "'" { tokens[index].word.removeLast() }
        }
        return tokens.filter { !$0.word.isEmpty }
    }

    /// The phrase `words` (folded) starting at token `index`.
    func has(_ words: [String], at index: Int) -> Bool {
        guard index >= 0, index + words.count <= tokens.count else { return false }
        var offset = 0
        while offset < words.count {
            if tokens[index + offset].word != words[offset] { return false }
            offset += 1
        }
        return true
    }

    /// Where the phrase `words` starts, if the sentence holds it.
    func find(_ words: [String], from start: Int = 0) -> Int? {
        guard !words.isEmpty, tokens.count >= words.count, start <= tokens.count - words.count else { return nil }
        return (start...(tokens.count - words.count)).first { has(words, at: $0) }
    }

    /// Whether the sentence opens with `phrase` (`meanwhile`, `at the same time`).
    func opens(with phrase: String) -> Bool { has(phrase.split(separator: " ").map(String.init), at: 0) }

    /// The characters named in it, in order.
    var characters: [String] { mentions.map(\.character) }

    /// The mention ending just before token `index`, allowing adverbs between (`Mira quietly leaves`).
    func subject(before index: Int) -> [Mention] {
        var position = index - 1
        while position >= 0, Self.adverbs.contains(tokens[position].word) || tokens[position].word.hasSuffix("ly") && tokens[position].word.count > 4
            && !tokens[position].capitalised
        {
            position -= 1
        }
        var found: [Mention] = []
        // `Mira and Theo leave`: a list of names joined by `and` or commas.
        while position >= 0, let mention = mentions.first(where: { $0.tokens.upperBound - 1 == position }), !mention.possessive {
            found.append(mention)
            position = mention.tokens.lowerBound - 1
            if position >= 0, tokens[position].word == "and" { position -= 1 } else if position >= 0, tokens[position].comma {} else { break }
        }
        return found
    }

    static let adverbs: Set<String> = ["then", "finally", "suddenly", "soon", "now", "also", "just", "abruptly", "later"]
}

/// Finds the characters a run of words names, through the role resolver: the longest span of
/// capitalised words that resolves by id, name or alias wins (`Grandma Ada`, then `Mira`).
struct ContinuityCast: Sendable {
    let resolver: RoleResolver
    let database: CharacterDatabase
    /// Folded names, aliases and ids: a span that is none of these is not asked about (an unknown
    /// name would make the resolver compute suggestions).
    private let keys: Set<String>
    private let longest: Int
    /// `female`, `male` or nothing, from the appearance and role words.
    let gender: [String: String]

    init(database: CharacterDatabase) {
        self.database = database
        resolver = RoleResolver(database: database)
        var keys: Set<String> = []
        var longest = 1
        var gender: [String: String] = [:]
        for character in database.characters {
            for name in [character.name, character.id] + character.aliases {
                let key = NameFolding.fold(name)
                keys.insert(key)
                keys.insert(NameFolding.withoutArticle(key))
                longest = max(longest, key.split(separator: " ").count)
            }
            let words = Set(TextTools.words(character.appearance + " " + character.roles.joined(separator: " ")))
            if !words.isDisjoint(with: ["girl", "woman", "lady", "grandmother", "mother", "aunt", "she", "her", "queen", "sister", "daughter"]) {
                gender[character.id] = "female"
            } else if !words.isDisjoint(with: ["boy", "man", "gentleman", "grandfather", "father", "uncle", "he", "his", "king", "brother", "son"]) {
                gender[character.id] = "male"
            }
        }
        self.keys = keys
        self.longest = longest
        self.gender = gender
    }

    /// The character a name as written resolves to (id, name or alias; never a role tag).
    func character(named text: String) -> String? {
        let key = NameFolding.fold(text)
        guard keys.contains(key) || keys.contains(NameFolding.withoutArticle(key)) else { return nil }
        let resolution = resolver.resolve(text)
        guard case .resolved(let id, let match) = resolution.outcome, match != .roleTag else { return nil }
        return id
    }

    /// A `Characters:` entry or a speaker: role tags count here, as in role validation.
    func listed(_ role: String) -> String? {
        if let id = character(named: role) { return id }
        if case .resolved(let id, _) = resolver.resolve(role).outcome { return id }
        return nil
    }

    /// Fills the sentence's mentions.
    func read(_ sentence: inout ContinuitySentence) {
        var mentions: [ContinuitySentence.Mention] = []
        var index = 0
        let tokens = sentence.tokens
        while index < tokens.count {
            guard tokens[index].capitalised else {
                index += 1
                continue
            }
            var matched = false
            // The longest span first; a possessive ends a name (`Grandma Ada's`).
            var end = index
            while end < tokens.count, end - index < longest, tokens[end].capitalised {
                end += 1
                if tokens[end - 1].possessive { break }
            }
            var length = end - index
            while length >= 1 {
                let span = tokens[index..<index + length].map { $0.raw }.joined(separator: " ")
                let cleaned = tokens[index + length - 1].possessive
                    ? tokens[index..<index + length - 1].map(\.raw).joined(separator: " ") + (length > 1 ? " " : "")
                        + String(tokens[index + length - 1].raw.prefix { $0 != "'" && $0 != "’" })
                    : span
                if let id = character(named: cleaned) {
                    mentions.append(.init(character: id, tokens: index..<index + length, possessive: tokens[index + length - 1].possessive))
                    index += length
                    matched = true
                    break
                }
                length -= 1
            }
            if !matched { index += 1 }
        }
        sentence.mentions = mentions
    }
}
