/// The word rule of the pacing report: a word is a maximal run of letters or digits; an
/// apostrophe or hyphen between two of them stays inside the word (`That'll` = 1, `well-known` =
/// 1, `3.5` = 2, `--` = 0).
enum PacingWords {
    static func count(_ text: String) -> Int {
        var count = 0
        var inWord = false
        // A connector seen right after a letter or digit: it joins only if one follows.
        var pendingConnector = false
        for character in text {
            if character.isLetter || character.isNumber {
                if !inWord { count += 1 }
                inWord = true
                pendingConnector = false
            } else if inWord, !pendingConnector, isConnector(character) {
                pendingConnector = true
            } else {
                inWord = false
                pendingConnector = false
            }
        }
        return count
    }

    /// Apostrophes and hyphens, straight and typographic.
    static func isConnector(_ character: Character) -> Bool {
        ["'", "’", "‘", "-", "‐", "‑"].contains(character)
    }
}
