/// The colour words the visual rule reads, in one place: basic colours and common ones. A
/// colour followed by an item (`yellow raincoat`, `red rubber boots`) is a (colour, item) pair.
enum ColourWords {
    static let all: Set<String> = [
        "red", "orange", "yellow", "green", "blue", "purple", "violet", "pink", "brown", "black", "white", "grey", "gray",
        "navy", "crimson", "scarlet", "maroon", "burgundy", "silver", "golden", "gold", "bronze", "copper", "teal",
        "turquoise", "cyan", "magenta", "lilac", "lavender", "indigo", "beige", "tan", "cream", "ivory", "olive", "khaki",
        "emerald", "ruby", "amber", "mustard", "rust", "charcoal", "auburn", "blond", "blonde", "ginger", "plum",
    ]

    /// Spellings that name the same colour.
    static let same: [String: String] = ["gray": "grey", "gold": "golden", "blonde": "blond", "violet": "purple"]

    /// Words between a colour and its item that describe the item's make, not the item
    /// (`red rubber boots` → boots).
    static let modifiers: Set<String> = [
        "rubber", "leather", "wool", "woollen", "woolen", "silk", "silken", "cotton", "denim", "velvet", "knitted", "knit",
        "bank", "long", "short", "curly", "straight", "wavy", "heavy", "light", "thick", "thin", "old", "new", "rain",
        "winter", "summer", "school", "baseball", "flat", "round", "tight", "loose", "striped", "checked", "plaid",
        "canvas", "wide", "narrow", "felt", "fur", "lace", "tattered", "torn", "muddy", "wet", "dry", "worn", "faded",
    ]

    /// Words that end a noun phrase: an item is never one of them.
    static let stops: Set<String> = [
        "and", "or", "but", "with", "in", "on", "at", "of", "to", "from", "by", "for", "as", "the", "a", "an", "her", "his",
        "their", "its", "is", "are", "was", "were", "that", "which", "while", "than", "then", "so", "into", "onto", "over",
        "under", "one", "ones",
    ]

    /// The canonical spelling of a colour word, nil when `word` is not one.
    static func colour(_ word: String) -> String? {
        guard all.contains(word) else { return nil }
        return same[word] ?? word
    }

    /// `boots` → `boot`, `glasses` stays: items compare in the singular.
    static func item(_ word: String) -> String {
        if word.hasSuffix("sses") || word.hasSuffix("ss") || word == "glasses" || word.count <= 3 { return word }
        if word.hasSuffix("s") { return String(word.dropLast()) }
        return word
    }
}
