import Foundation
@testable import PanelKit
import Testing

/// Each rule with a seeded error, and the near-misses a writer would be annoyed to see flagged.
@Suite("Continuity rules")
struct ContinuityRuleTests {
    typealias F = ContinuityFixture

    @Test("visual: a colour against the database is a high alert pointing at the database's line")
    func visualAgainstDatabase() throws {
        for text in ["Mira, in her blue raincoat, waves.", "Mira's blue raincoat drips on the floor.", "Theo waves at Mira in a blue raincoat."] {
            let alerts = F.alerts(["**Setting:** Market\n\n" + text])
            #expect(alerts.count == 1, "\(text)")
            let alert = try #require(alerts.first)
            #expect(alert.type == .visual && alert.severity == .high && alert.foundBy == "visual.appearance")
            #expect(alert.title == "Mira Okafor's raincoat is blue here but yellow in the character database")
            #expect(alert.source.panel == "database" && alert.source.line > 1)
            #expect(alert.conflict.panel == "p01-01" && alert.conflict.line == 11)
        }
    }

    @Test("visual: an item the database does not mention keeps the colour a panel gave it")
    func visualBetweenPanels() throws {
        let alerts = F.alerts(["Theo ties his red scarf.", "Mira laughs.", "Theo's green scarf flaps in the wind."])
        #expect(alerts.map(\.type) == [.visual])
        #expect(alerts.first?.severity == .medium)
        #expect(alerts.first?.source.panel == "p01-01" && alerts.first?.conflict.panel == "p01-03")
        // One mistake repeated is one alert.
        #expect(F.alerts(["Theo ties his red scarf.", "Theo's green scarf.", "Theo's green scarf again."]).count == 1)
    }

    @Test("visual near-misses: a change shown first, a note, the same panel, colours no one owns")
    func visualNearMisses() {
        #expect(F.alerts(["Mira puts on a blue raincoat.", "Mira's blue raincoat drips."]).isEmpty)
        #expect(F.alerts(["Mira changes into her blue raincoat. Mira's blue raincoat drips."]).isEmpty)
        #expect(F.alerts(["Mira waits.\n\n**Notes:** Mira now wears a blue raincoat from here on.", "Mira's blue raincoat drips."]).isEmpty)
        #expect(F.alerts(["Mira shows off her new blue raincoat.", "Mira, in her blue raincoat, runs."]).isEmpty)
        #expect(F.alerts(["Mira takes off her raincoat.", "Mira's blue raincoat hangs by the door."]).isEmpty)
        #expect(F.alerts(["Theo hands Mira a red apple. Crates of red and green apples fill the frame.", "Mira's yellow raincoat."]).isEmpty)
        // After a shown change the new colour is the state: going back is an alert.
        let back = F.alerts(["Mira puts on a blue raincoat.", "Mira's yellow raincoat drips."])
        #expect(back.count == 1 && back.first?.title.contains("yellow here but blue in p01-01") == true)
    }

    @Test("timeline: That night, then Later that morning, with no day boundary")
    func timelineBackwards() throws {
        let alerts = F.alerts(["Caption: That night.\n\nMira sleeps.", "Caption: Later that morning.\n\nMira eats."])
        let alert = try #require(alerts.first)
        #expect(alerts.count == 1 && alert.type == .timeline && alert.severity == .high)
        #expect(alert.source.panel == "p01-01" && alert.conflict.panel == "p01-02")
        #expect(F.alerts(["**Setting:** Kitchen, evening\n\nMira cooks.", "**Setting:** Kitchen, afternoon\n\nMira eats."]).count == 1)
        #expect(F.alerts(["Caption: In the afternoon.", "At noon, the bell rings."]).count == 1)
    }

    @Test("timeline near-misses: the morning after, a day later, night into dawn, a flashback, words that are not times")
    func timelineNearMisses() {
        #expect(F.alerts(["Caption: That night.", "Caption: The morning after."]).isEmpty)
        #expect(F.alerts(["Caption: Evening.", "Caption: Three days later, at noon."]).isEmpty)
        #expect(F.alerts(["Caption: That night.", "Caption: At dawn."]).isEmpty)
        #expect(F.alerts(["Caption: Evening.", "Caption: Earlier that morning."]).isEmpty)
        #expect(F.alerts(["Caption: Evening.", "Mira walks through the night market.", "Mira remembers last night.", "Caption: Night."]).isEmpty)
        // A new chapter is a new day.
        let two = F.check([F.chapter(["Caption: That night."], slug: "a", number: 1),
                           F.chapter(["Caption: Later that morning."], slug: "b", number: 2)])
        #expect(two.flatMap(\.alerts).isEmpty)
    }

    @Test("location: a character present just before a Meanwhile cut is also in the other place")
    func locationTwoPlaces() throws {
        let alerts = F.alerts(["**Setting:** The market\n\nMira buys apples from Theo.",
                               "**Setting:** The bank\n\nCaption: Meanwhile, at the bank.\n\nMira waits in line."])
        let alert = try #require(alerts.first)
        #expect(alerts.count == 1 && alert.type == .location && alert.severity == .high)
        #expect(alert.title == "Mira Okafor is in two places at once: The market (p01-01) and The bank")
        // Also after the cut panel, while the parallel scene lasts.
        let later = F.alerts(["**Setting:** The market\n\n**Mira:** Two apples!", "**Setting:** The bank\n\nAt the same time, Bly counts notes.",
                              "**Setting:** The bank\n\n**Characters:** Mira, Bly"])
        #expect(later.map(\.conflict.panel) == ["p01-03"])
    }

    @Test("location near-misses: the character absent before, gone before the cut, time moving on, back to the first scene")
    func locationNearMisses() {
        #expect(F.alerts(["**Setting:** The market\n\nTheo stacks apples.", "**Setting:** The bank\n\nMeanwhile, Mira waits in line."]).isEmpty)
        #expect(F.alerts(["**Setting:** The market\n\nMira pays. Mira leaves.", "**Setting:** The bank\n\nMeanwhile, Mira waits in line."]).isEmpty)
        #expect(F.alerts(["**Setting:** The market\n\nMira pays.", "**Setting:** The bank\n\nMeanwhile, Bly counts.",
                          "**Setting:** The bank\n\nCaption: An hour later.\n\nMira waits in line."]).isEmpty)
        #expect(F.alerts(["**Setting:** The market\n\nMira pays.", "**Setting:** The bank\n\nMeanwhile, Bly counts.",
                          "**Setting:** The market\n\nMira counts her change."]).isEmpty)
        // Someone only mentioned as an owner is not there.
        #expect(F.alerts(["**Setting:** The market\n\nTheo polishes Mira's apple.", "**Setting:** The bank\n\nMeanwhile, Mira waits."]).isEmpty)
    }

    @Test("presence: a character who storms off and then speaks in the same scene")
    func presenceAfterLeaving() throws {
        let alerts = F.alerts(["**Setting:** The stall\n\nTheo storms off.", "**Setting:** The stall\n\n**Theo:** I'm back already."])
        let alert = try #require(alerts.first)
        #expect(alerts.count == 1 && alert.type == .presence && alert.severity == .medium)
        #expect(alert.title == "Theo Brandt speaks here but left in p01-01")
        #expect(F.alerts(["Mira walks out.", "Theo frowns.\n\n**Characters:** Theo, Mira"]).first?.title == "Mira Okafor is listed here but left in p01-01")
        #expect(F.alerts(["Mira and Theo leave the shop.", "**Theo:** Hello?"]).count == 1)
    }

    @Test("presence near-misses: the character returns, calls from off-panel, leaves a note, or the scene changes")
    func presenceNearMisses() {
        #expect(F.alerts(["Theo leaves.", "Theo returns with a crate.\n\n**Theo:** Got it."]).isEmpty)
        #expect(F.alerts(["Theo leaves.", "Theo comes back.", "**Theo:** Got it."]).isEmpty)
        #expect(F.alerts(["Theo storms off.", "**Theo (OFF):** And stay out!"]).isEmpty)
        #expect(F.alerts(["Theo leaves a note on the counter.", "**Theo:** Read it."]).isEmpty)
        #expect(F.alerts(["**Setting:** The stall\n\nTheo exits.", "**Setting:** The bank\n\n**Theo:** A deposit, please."]).isEmpty)
        #expect(F.alerts(["Theo exits.", "Caption: The next day.\n\n**Theo:** Morning!"]).isEmpty)
    }

    @Test("Unknown names are not continuity's business")
    func unknownNames() {
        #expect(F.alerts(["Zed, in his blue coat, leaves.", "Zed's red coat. **Zed:** Hi."]).isEmpty)
    }
}
