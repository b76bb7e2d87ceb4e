/// The themes a panel can be classified into, each with a description (for models) and
/// keywords (for the offline engine). Configurable as `themes:` in panelproc.yml.
public struct ThemeTaxonomy: Sendable, Equatable {
    struct Theme: Sendable, Equatable {
        var name: String
        var description: String
        var keywords: [String]

        init(name: String, description: String, keywords: [String]) {
            self.name = name
            self.description = description
            self.keywords = keywords
        }
    }

    var themes: [Theme]
    /// The theme chosen when nothing matches: the last one.
    var fallback: Theme { themes[themes.count - 1] }

    init(themes: [Theme]) {
        precondition(!themes.isEmpty, "a taxonomy needs at least one theme")
        self.themes = themes
    }

    var names: [String] { themes.map(\.name) }

    /// A taxonomy for stories that teach: what the panel is mostly about.
    static let standard = ThemeTaxonomy(themes: [
        Theme(name: "trade", description: "buying, selling, paying, prices and goods",
              keywords: ["pay", "buy", "sell", "price", "cost", "apple", "stall", "market", "shop", "coin", "banknote",
                         "money", "change", "spend", "customer", "merchant", "goods"]),
        Theme(name: "trust", description: "promises, honesty, and checking what is real",
              keywords: ["promise", "trust", "real", "fake", "honest", "believe", "agree", "check", "watermark", "proof",
                         "true", "cheat", "valuable", "accept", "keep"]),
        Theme(name: "record-keeping", description: "ledgers, writing things down, copies and accounts",
              keywords: ["ledger", "write", "record", "book", "copy", "line", "page", "list", "account", "stamp",
                         "written", "scribble", "pencil", "name"]),
        Theme(name: "discovery", description: "questions, learning and realising something",
              keywords: ["why", "how", "question", "learn", "wonder", "realise", "realize", "think", "idea", "discover",
                         "understand", "curious", "know", "look"]),
        Theme(name: "community", description: "groups, neighbours and doing things together",
              keywords: ["everyone", "crowd", "together", "neighbour", "neighbor", "town", "square", "family", "share",
                         "people", "group", "whole", "all"]),
        Theme(name: "conflict", description: "disagreement, danger and tension",
              keywords: ["argue", "fight", "steal", "thief", "angry", "refuse", "danger", "tense", "chase", "shout",
                         "stranger", "twice", "double", "trick"]),
        Theme(name: "everyday", description: "an ordinary moment that fits no other theme", keywords: []),
    ])
}
