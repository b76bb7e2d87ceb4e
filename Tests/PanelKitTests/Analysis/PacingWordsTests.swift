@testable import PanelKit
import Testing

@Suite("The pacing word rule")
struct PacingWordsTests {
    @Test("A word is a run of letters or digits; an apostrophe or hyphen between two stays inside",
          arguments: [
              ("That'll", 1), ("well-known", 1), ("3.5", 2), ("That'll be one note, young lady.", 6),
              ("don’t", 1),  // typographic apostrophe
              ("e-mail's", 1), ("rock--roll", 2),  // two connectors in a row split
              ("'Tis", 1), ("cousins'", 1), ("-well-", 1),  // leading and trailing connectors are not inside
              ("--", 0), ("", 0), ("...", 0), ("2,000", 2), ("R2-D2", 1), ("naïve café", 2), ("日本語", 1),
              ("Hello,world", 2), ("A  B\tC\nD", 4), ("well - known", 2),
          ] as [(String, Int)])
    func counts(text: String, expected: Int) {
        #expect(PacingWords.count(text) == expected, "\(text)")
    }
}
