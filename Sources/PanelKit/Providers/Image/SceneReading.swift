import Foundation

/// What a panel's text says about its place and things, for pictures: the setting and the props.
enum SceneReading {
    /// Nouns drawn as props when a scene names them; `props` in panelproc.yml replaces the list.
    static let defaultPropWords = [
        "banknote", "note", "coin", "coins", "ledger", "book", "letter", "receipt", "stamp", "scale", "crate", "crates",
        "basket", "cart", "apples", "apple", "lantern", "umbrella", "key", "cane", "chest", "box", "map", "clock",
        "counter", "table", "stall", "sign", "bag", "purse", "bell", "candle", "pen", "paper", "jar",
    ]

    /// The `Setting:` field, else the scene's first location phrase (`at the bank counter`).
    static func setting(of panel: ComicPanelImageSheet) -> String? {
        if let field = panel.field(.setting)?.trimmingWhitespace(), !field.isEmpty { return field }
        let scene = panel.sceneDescriptionOriginal
        for match in locationPhrase.matches(in: scene, range: NSRange(scene.startIndex..., in: scene)) {
            guard let verb = Range(match.range(at: 1), in: scene), let place = Range(match.range(at: 2), in: scene) else { continue }
            // "squints at the watermark" is where someone looks, not where the scene is.
            if lookingVerbs.contains(scene[verb].lowercased()) { continue }
            // "at the same moment" is when, not where.
            let words = scene[place].lowercased().split(whereSeparator: { !$0.isLetter })
            if words.contains(where: { timeWords.contains(String($0)) }) { continue }
            return String(scene[place]).trimmingWhitespace()
        }
        return nil
    }

    /// A verb, then a place: `waits at the bank counter`. Compiled once: every sketch, page and
    /// gallery card reads the setting.
    private static let locationPhrase = try! NSRegularExpression(
        pattern: #"\b(\w+) (?:at|in|inside|outside|on|near|by|beside|under|behind) ((?:the|a|an|[A-Z][a-z]+['’]s) [A-Za-z'’ -]{2,40}?)(?=[.,;:!?)]|\s+(?:while|and|as|with|where|when|to|for|holding)\b|$)"#)

    static let timeWords: Set<String> = ["moment", "time", "instant", "morning", "evening", "night", "dawn", "dusk", "noon",
                                         "sunrise", "sunset", "end", "beginning", "start", "same", "meantime", "while", "once"]

    static let lookingVerbs: Set<String> = ["looks", "look", "squints", "stares", "points", "glances", "smiles", "winks", "laughs",
                                            "frowns", "nods", "waves", "gazes", "peers", "shouts", "yells", "grins", "jabs"]

    /// Up to three props: the `Props:` field's items, else the listed nouns the scene names, in
    /// the order they appear.
    static func props(of panel: ComicPanelImageSheet, words: [String]) -> [String] {
        if let field = panel.field(.props) {
            return Array(field.split(separator: ",").map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }.prefix(3))
        }
        let known = Set(words.map { $0.lowercased() })
        var found: [String] = []
        for word in panel.sceneDescriptionOriginal.lowercased().split(whereSeparator: { !$0.isLetter }).map(String.init)
        where known.contains(word) && !found.contains(word) {
            found.append(word)
            if found.count == 3 { break }
        }
        return found
    }
}
