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

    static let breaks: Set<Character> = [".", "!", "?", ";", ":", "\n", "\r\n", "…"]

    /// The sentences of `text`: cut at `.`, `!`, `?`, `;`, `:` and line breaks.
    static func split(_ text: String, kind: Kind) -> [ContinuitySentence] {
        var sentences: [ContinuitySentence] = []
        for part in text.split(whereSeparator: { breaks.contains($0) }) {
            let tokens = tokenize(part)
            if !tokens.isEmpty { sentences.append(ContinuitySentence(kind: kind, text: String(part), tokens: tokens)) }
        }
        return sentences
    }

    static func tokenize<S: StringProtocol>(_ text: S) -> [Token] {
        if text.utf8.allSatisfy({ $0 < 0x80 }) { return asciiTokens(text.utf8) }
        var tokens: [Token] = []
        var raw = ""
        func close() {
            guard !raw.isEmpty else { return }
            tokens.append(token(raw))
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
        return tokens.filter { !$0.word.isEmpty }
    }

    /// One word as written: folded, a possessive `'s` (or a plural's `'`) taken off.
    static func token(_ raw: String) -> Token {
        var word = raw.contains("’") ? raw.replacingOccurrences(of: "’", with: "'") : raw
        var possessive = false
        if word.hasSuffix("'s"), word.count > 2 {
            possessive = true
            word.removeLast(2)
        } else if word.hasSuffix("'"), word.count > 1 {
            word.removeLast()
            possessive = word.hasSuffix("s")
        }
        var folded = TextTools.fold(word)
        while let last = folded.last, last == "-" || last == "'" { folded.removeLast() }
        return Token(word: folded, raw: raw, capitalised: raw.first?.isUppercase ?? false, possessive: possessive, comma: false)
    }

    /// `tokenize` for ASCII text, on bytes.
    private static func asciiTokens<U: Collection>(_ bytes: U) -> [Token] where U.Element == UInt8 {
        var tokens: [Token] = []
        var raw: [UInt8] = []
        func close() {
            guard !raw.isEmpty else { return }
            var end = raw.count
            var possessive = false
            if end > 2, raw[end - 2] == 0x27, raw[end - 1] | 0x20 == 0x73 {
                possessive = true
                end -= 2
            } else if end > 1, raw[end - 1] == 0x27 {
                end -= 1
                possessive = raw[end - 1] | 0x20 == 0x73
            }
            while end > 0, raw[end - 1] == 0x2D || raw[end - 1] == 0x27 { end -= 1 }
            if end > 0 {
                let word = String(decoding: raw[..<end].map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 }, as: UTF8.self)
                tokens.append(Token(word: word, raw: String(decoding: raw, as: UTF8.self), capitalised: raw[0] >= 0x41 && raw[0] <= 0x5A,
                                    possessive: possessive, comma: false))
            }
            raw.removeAll(keepingCapacity: true)
        }
        for byte in bytes {
            switch byte {
            case 0x61...0x7A, 0x41...0x5A, 0x30...0x39: raw.append(byte)
            case 0x27 where !raw.isEmpty, 0x2D where !raw.isEmpty: raw.append(byte)
            default:
                close()
                if byte == 0x2C, !tokens.isEmpty { tokens[tokens.count - 1].comma = true }
            }
        }
        close()
        return tokens
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
