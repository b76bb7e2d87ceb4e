@testable import PanelKit
import Testing
import TestSupport

@Suite("Role resolution against the character database")
struct RoleResolverTests {
    let resolver: RoleResolver

    init() throws {
        resolver = RoleResolver(database: try sampleDatabase())
    }

    func outcome(_ role: String) -> RoleResolution.Outcome { resolver.resolve(role).outcome }

    @Test("Resolution by id (any case), canonical name and alias")
    func direct() {
        #expect(outcome("mira") == .resolved(characterID: "mira", via: .id))
        #expect(outcome("BLY") == .resolved(characterID: "bly", via: .id))
        #expect(outcome("Mira Okafor") == .resolved(characterID: "mira", via: .name))
        #expect(outcome("Theo") == .resolved(characterID: "theo", via: .id))
        #expect(outcome("Grandma") == .resolved(characterID: "ada", via: .alias))
        #expect(outcome("the apple seller") == .resolved(characterID: "theo", via: .alias))
        #expect(resolver.resolve("Officer Bly") == RoleResolution(role: "Officer Bly", outcome: .resolved(characterID: "bly", via: .name)))
    }

    @Test("Names fold case, diacritics, surrounding punctuation and inner white space")
    func folded() {
        #expect(outcome("  mira!! ") == .resolved(characterID: "mira", via: .alias))
        #expect(outcome("GRANDMA") == .resolved(characterID: "ada", via: .alias))
        #expect(outcome("Grándma   Adá") == .resolved(characterID: "ada", via: .name))
        #expect(outcome("“Officer Bly.”") == .resolved(characterID: "bly", via: .name))
        #expect(outcome("mira-okafor") == .unknown(suggestions: ["Mira Okafor", "Grandma Ada", "Theo Brandt"]))
    }

    @Test("Folding: case, diacritics, width, edge punctuation and symbols, white space runs")
    func folding() {
        #expect(RoleResolver.fold("  Mîra \t Okafor!! ") == "mira okafor")
        #expect(RoleResolver.fold("«Ｇｒａｎｄｍａ Ádá»") == "grandma ada")
        #expect(RoleResolver.fold("(Mr. O'Neil)…") == "mr. o'neil")
        #expect(RoleResolver.fold("✨ Bly ✨") == "bly")
    }

    @Test("Plain ASCII folds exactly as the general Unicode path does")
    func asciiFastPath() {
        // A trailing combining accent sends the same text through Foundation's folding, which drops it.
        let alphabet = Array(" \t\n\u{0B}\u{1}aZ9!-.'\"$+^`~_(){}".unicodeScalars)
        var generator = SplitMix64(seed: 0xC0FFEE)
        for _ in 0..<20_000 {
            var text = "x"
            for _ in 0..<Int.random(in: 0...7, using: &generator) {
                text.unicodeScalars.append(alphabet.randomElement(using: &generator)!)
            }
            text.removeFirst(Int.random(in: 0...1, using: &generator))
            guard !text.isEmpty else { continue }
            let ascii = RoleResolver.fold(text), unicode = RoleResolver.fold(text + "\u{301}")
            if ascii != unicode {
                Issue.record("\(text.debugDescription): ASCII \(ascii.debugDescription), Unicode \(unicode.debugDescription)")
                return
            }
        }
    }

    @Test("A leading \"the\" only matters when it stops a match")
    func article() {
        #expect(outcome("apple seller") == .resolved(characterID: "theo", via: .alias))
        #expect(outcome("The Mira") == .resolved(characterID: "mira", via: .alias))
        #expect(outcome("the merchant") == .resolved(characterID: "theo", via: .roleTag))
    }

    @Test("A role tag held by one character resolves to it")
    func roleTag() {
        #expect(outcome("merchant") == .resolved(characterID: "theo", via: .roleTag))
        #expect(outcome("Stall  Keeper") == .resolved(characterID: "theo", via: .roleTag))
        #expect(outcome("grandmother") == .resolved(characterID: "ada", via: .roleTag))
        #expect(RoleResolution.Match.roleTag.rawValue == "role_tag")
    }

    @Test("A role tag held by two or more characters is ambiguous, with every candidate")
    func ambiguous() throws {
        let database = try CharacterDatabase.parse(Array("""
            {"characters": [
              {"id": "bly", "name": "Officer Bly", "roles": ["guard", "bank clerk"]},
              {"id": "zed", "name": "Zed", "roles": ["Guard"]},
              {"id": "amos", "name": "Amos", "roles": ["gate keeper", "guard"]}
            ]}
            """.utf8), path: projectDatabasePath)
        let resolver = RoleResolver(database: database)
        #expect(resolver.resolve("guard").outcome == .ambiguous(candidates: ["amos", "bly", "zed"]))
        #expect(resolver.resolve("The Guard").outcome == .ambiguous(candidates: ["amos", "bly", "zed"]))
        #expect(resolver.resolve("bank clerk").outcome == .resolved(characterID: "bly", via: .roleTag))
        // Ids and names come before tags.
        #expect(resolver.resolve("zed").outcome == .resolved(characterID: "zed", via: .id))
    }

    @Test("An unknown role gets the three closest names, ties in name order")
    func unknown() {
        // Folded distances: theo brandt/theo 6, grandma ada 9, mira okafor 10, officer bly 11.
        #expect(outcome("The Stranger") == .unknown(suggestions: ["Theo Brandt", "Grandma Ada", "Mira Okafor"]))
        // Every name is 4 edits from "zzzz": name order decides.
        #expect(outcome("zzzz") == .unknown(suggestions: ["Grandma Ada", "Mira Okafor", "Officer Bly"]))
        #expect(outcome("Gardner") == .unknown(suggestions: ["Grandma Ada", "Mira Okafor", "Theo Brandt"]))
        #expect(outcome("Miraa") == .unknown(suggestions: ["Mira Okafor", "Grandma Ada", "Officer Bly"]))
        #expect(resolver.resolve("The Stranger") == resolver.resolve("The Stranger"))
    }

    @Test("Suggestions equal a plain edit-distance ranking over every name and alias")
    func suggestionsAgainstReference() throws {
        var generator = SplitMix64(seed: 0x5EED)
        let letters = Array("abdeilmnorst ")
        func word() -> String {
            String((0..<Int.random(in: 2...10, using: &generator)).map { _ in letters.randomElement(using: &generator)! })
        }
        func distance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
            guard !a.isEmpty else { return b.count }
            var row = Array(0...b.count)
            for i in 1...a.count {
                var diagonal = row[0]
                row[0] = i
                for j in stride(from: 1, through: b.count, by: 1) {
                    let above = row[j]
                    row[j] = min(diagonal + (a[i - 1] == b[j - 1] ? 0 : 1), above + 1, row[j - 1] + 1)
                    diagonal = above
                }
            }
            return row[b.count]
        }
        var used: Set<String> = []
        var cast: [(name: String, keys: [String])] = []
        while cast.count < 60 {
            let written = [word(), word(), word()]
            let keys = written.map(RoleResolver.fold)
            guard keys.allSatisfy({ !$0.isEmpty && !used.contains($0) }), Set(keys).count == 3 else { continue }
            used.formUnion(keys)
            cast.append((written[0], keys))
        }
        let entries = cast.enumerated().map { index, entry in
            #"{"id": "c\#(index)", "name": "\#(entry.name)", "aliases": ["\#(cast[index].keys[1])", "\#(cast[index].keys[2])"]}"#
        }
        let database = try CharacterDatabase.parse(Array("{\"characters\": [\(entries.joined(separator: ",\n"))]}".utf8),
                                                   path: projectDatabasePath)
        let resolver = RoleResolver(database: database)
        var checked = 0
        for _ in 0..<400 {
            let role = word()
            guard case .unknown(let suggestions) = resolver.resolve(role).outcome else { continue }
            let target = Array(RoleResolver.fold(role).unicodeScalars)
            let ranked = cast.map { entry in
                (entry.keys.map { distance(target, Array($0.unicodeScalars)) }.min()!, entry.name)
            }.sorted { $0 < $1 }
            #expect(suggestions == ranked.prefix(3).map(\.1), "role \(role.debugDescription)")
            checked += 1
        }
        #expect(checked > 300)
    }

    @Test("UnknownRoleError names the role, the panel and the suggestions")
    func unknownRoleError() {
        let error = UnknownRoleError(role: "The Stranger", panelID: "01-x/p02-02",
                                     suggestions: ["Theo Brandt", "Grandma Ada", "Mira Okafor"])
        #expect(error.description == """
            unknown role "The Stranger" in panel 01-x/p02-02; did you mean Theo Brandt, Grandma Ada, Mira Okafor? \
            Add it to characters/character_base_list.json or fix the name.
            """)
        #expect(UnknownRoleError(role: "X", panelID: "p", suggestions: []).description
            == "unknown role \"X\" in panel p. Add it to characters/character_base_list.json or fix the name.")
    }
}
