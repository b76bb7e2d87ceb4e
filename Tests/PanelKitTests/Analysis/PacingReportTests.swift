import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import PanelKit
import Testing
import TestSupport

func pacingFixture() throws -> Chapter { try parseFixture("pacing", "pacing-fixture.md") }

@Suite("Pacing report")
struct PacingReportTests {
    /// Fixtures/pacing/pacing-fixture.md, counted by hand (W = "one two … twenty", 20 words):
    ///
    /// - page 0 (before `## Page 1`): 1 panel, CAPTION "Long ago." = 2 words; not silent (a caption);
    ///   its panel count is not judged since numbered pages follow.
    /// - page 1: p1 "That'll be one well-known note, please!" = 6 (dialogue); p2 only SFX = silent;
    ///   p3 "Is it 3.5 coins?" = 5 (`3.5` is 2). Words 11, panels 3, dialogue 2, silent 1, longest 6.
    ///   Ends on "?": a hook on an odd page. Points: words 11 < 30 (3) + panels 3 < 4 (3) = 6.
    /// - page 2: p1 caption "Then the bell rang." = 4 (neither dialogue nor silent); p2 W + "and then
    ///   six more words here" = 26 (> 25). Words 30, panels 2, dialogue 1, silent 0, longest 26.
    ///   Sparse (10) + long balloon (5) = 15 points.
    /// - page 3: one panel titled Splash, no lettering: silent, not sparse. Words 0 < 30 (3 points); no hook.
    /// - page 4: 4 panels of two W balloons = 40 words each (not > 40): words 160 > 150 (10 points),
    ///   dialogue 4, silent 0, longest 20.
    ///
    /// Chapter: 4 pages (page 0 excluded), 11 panels, 2 + 11 + 30 + 0 + 160 = 203 words;
    /// words/page (11 + 30 + 0 + 160) / 4 = 50.25; panels/page 10 / 4 = 2.5; words/panel 203 / 11 =
    /// 18.4545… → 18.45; dialogue 7 / 11 = 0.636 (above the 0.4–0.6 band: 5 points); silent 2 / 11 =
    /// 0.182 (in band). Score 100 − (6 + 15 + 3 + 10) / 4 − 5 = 86.5 → 87. Odd pages 1 and 3; hook on 1.
    @Test("The fixture's numbers match the hand count")
    func handChecked() throws {
        let report = PacingReport(try pacingFixture())
        #expect(report.pages.map(\.page) == [0, 1, 2, 3, 4])
        #expect(report.pages.map(\.words) == [2, 11, 30, 0, 160])
        #expect(report.pages.map(\.panels) == [1, 3, 2, 1, 4])
        #expect(report.pages.map(\.dialoguePanels) == [0, 2, 1, 0, 4])
        #expect(report.pages.map(\.silentPanels) == [0, 1, 0, 1, 0])
        #expect(report.pages.map(\.maxBalloonWords) == [0, 6, 26, 0, 20])
        #expect(report.pages.map { $0.warnings.map(\.kind) } == [[], [], [.sparse, .longBalloon], [], [.wordy]])
        #expect(report.pages[3].splash)
        #expect(report.pages.map(\.points) == [0, 6, 15, 3, 10])  // page 0 is not judged
        let totals = report.totals
        #expect(totals.pages == 4 && totals.panels == 11 && totals.words == 203)
        #expect(totals.wordsPerPage == 50.25 && totals.panelsPerPage == 2.5)
        #expect(PacingReport.round(totals.wordsPerPanel, 2) == 18.45)
        #expect(PacingReport.round(totals.dialogueRatio, 3) == 0.636 && PacingReport.round(totals.silentRatio, 3) == 0.182)
        #expect(totals.warnings.isEmpty)
        #expect(totals.score == 87)
        #expect(report.oddPages == [1, 3] && report.hookPages == [1])
        #expect(report.insights.contains("Page 4 has 160 words, may read slowly: split dialogue or add a silent beat."))
        #expect(report.insights.contains("1 of 2 odd pages (50%) end on a page-turn hook (page 1)."))
    }

    /// Pages 1, 3, 5, 7, 9 are odd; 2 is even (its question does not count); page 9's last panel
    /// ends on a plain statement although an earlier panel asks a question.
    @Test("Page-turn hooks: a question, an exclamation, an ellipsis or a But/Then/Suddenly caption on an odd page")
    func hooks() throws {
        let endings = [
            "**Mira:** Who took it?", "**Theo:** Where?", "**Mira:** Wait...", "Caption: Suddenly, the lights went out.",
            "**Theo:** Run!\n\nSFX: BANG", "Caption: But nobody answered.", "**Mira:** I wonder…", "Caption: Then came the storm.",
            "**Mira:** Really?\n\n### Panel 2\n\nLater.\n\n**Theo:** We go home.",
        ]
        let text = endings.enumerated().map { "## Page \($0.offset + 1)\n\n### Panel 1\n\nA street.\n\n\($0.element)\n" }
            .joined(separator: "\n")
        let report = PacingReport(try parse(text))
        #expect(report.oddPages == [1, 3, 5, 7, 9])
        #expect(report.hookPages == [1, 3, 5, 7])
        #expect(report.pages.map(\.endsOnHook) == [true, true, true, true, true, true, true, true, false])
        #expect(report.insights.last == "4 of 5 odd pages (80%) end on a page-turn hook (pages 1, 3, 5 and 7).")
    }

    @Test("A panel marked Splash in its header, Shot field or first sentence keeps its page from being sparse")
    func splash() throws {
        let pages = ["### Panel 1 (Splash)\n\nThe city.", "PANEL 1: SPLASH\n\nThe city.", "### Panel 1\n\nSplash page. The city.",
                     "### Panel 1\n\nShot: splash, wide\n\nThe city.", "### Panel 1\n\nThe city, with a splash of rain."]
        let text = pages.enumerated().map { "## Page \($0.offset + 1)\n\n\($0.element)\n" }.joined(separator: "\n")
        let report = PacingReport(try parse(text))
        #expect(report.pages.map(\.splash) == [true, true, true, true, false])
        #expect(report.pages.map { $0.warnings.map(\.kind) } == [[], [], [], [], [.sparse]])
    }

    @Test("A document without panels has no pages, zero totals and says so")
    func noPanels() throws {
        let report = PacingReport(try parseSample("no-panels.md"))
        #expect(report.pages.isEmpty && report.totals.pages == 0 && report.totals.panels == 0 && report.totals.warnings.isEmpty)
        #expect(report.text.hasSuffix("no pages or panels: nothing to pace\n"))
        #expect(report.json["pages"]?.array?.isEmpty == true)
    }

    @Test("pacing.json has exactly chapter and pages, with exactly the documented keys")
    func jsonKeys() throws {
        let json = PacingReport(try pacingFixture()).json
        #expect(json.members?.map(\.0) == ["chapter", "pages"])
        #expect(json["chapter"]?.members?.map(\.0) == ["pages", "panels", "words", "words_per_page", "panels_per_page", "words_per_panel",
                                                       "dialogue_ratio", "silent_ratio", "warnings", "score"])
        let page = json["pages"]?.array?.first
        #expect(page?.members?.map(\.0) == ["page", "words", "panels", "dialogue_panels", "silent_panels", "max_balloon_words", "warnings"])
        let text = json.serialized()
        #expect(text.contains("\"words_per_panel\": 18.45,"))
        #expect(text.contains("\"dialogue_ratio\": 0.636,"))
        #expect(text.contains("\"score\": 87"))
    }

    /// Writers expect: a wordy page split, or a silent beat added, scores higher; cramming scores lower.
    @Test("The score moves the way a writer expects")
    func scoreMoves() throws {
        let base = PacingReport(try pacingFixture()).totals.score
        let text = String(decoding: try RepoPaths.bytes(RepoPaths.fixture("pacing/pacing-fixture.md")), as: UTF8.self)
        let balloon = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty"

        // Page 4 trimmed to half its words: no longer wordy.
        var trimmed = text
        if let range = trimmed.range(of: "## Page 4") {
            trimmed.replaceSubrange(range.lowerBound..., with: trimmed[range.lowerBound...].replacingOccurrences(
                of: "**Theo:** " + balloon, with: "**Theo:** Fine."))
        }
        let trimmedScore = PacingReport(try parse(trimmed)).totals.score
        #expect(trimmedScore > base)

        // Page 2 given a third, silent panel: not sparse any more.
        let fuller = text.replacingOccurrences(of: "## Page 3", with: "### Panel 3\n\nTheo stares at the bell.\n\n## Page 3")
        #expect(PacingReport(try parse(fuller)).totals.score > base)

        // Page 1 crammed with nine panels: worse.
        let panels = (4...12).map { "### Panel \($0)\n\nMore.\n\n**Mira:** Again.\n" }.joined(separator: "\n")
        let crammed = text.replacingOccurrences(of: "## Page 2", with: panels + "\n## Page 2")
        let crammedReport = PacingReport(try parse(crammed))
        #expect(crammedReport.pages[1].warnings.map(\.kind).contains(.cramped))
        #expect(crammedReport.totals.score < base)

        // A chapter with nothing but ideal pages scores 100.
        let ideal = (1...4).map { page in
            "## Page \(page)\n\n" + (1...5).map { panel in
                panel == 5 ? "### Panel \(panel)\n\nA quiet street.\n"
                    : panel % 2 == 0 ? "### Panel \(panel)\n\nMira waits.\n\nCaption: The market was closing, and the stalls emptied one by one as the sun went down.\n"
                    : "### Panel \(panel)\n\nMira talks.\n\n**Mira:** We still have time to find the stall that sells the blue apples!\n"
            }.joined(separator: "\n")
        }.joined(separator: "\n")
        let idealReport = PacingReport(try parse(ideal))
        #expect(idealReport.totals.score == 100, "\(idealReport.text)")
    }

    @Test("Full-script lettering counts dialogue and captions, not SFX, titles, names or notes")
    func fullScript() throws {
        // PAGE ONE: panel 1 has CAPTION "The night market opens at dusk." (6 words) and TITLE (not
        // counted) → 6 words, not silent, not dialogue. Panel 2: "Two apples, please!" (3) + "This one's been clipped." (4) +
        // "Theo Brandt! Is that how you greet a customer?" (9) = 16, SFX not counted; dialogue.
        // Page 1: 6 + 16 = 22.
        // PAGES TWO–THREE (a spread, one row): "All stalls, report clipped coins." (5) + the caption
        // "I had never seen Theo frown before." (7) = 12.
        let chapter = try parse("""
            ---
            title: The Clipped Coin
            max_bubbles: 5
            ---

            PAGE ONE (TWO PANELS)

            PANEL 1
            Wide establishing shot. A night market under paper lanterns; Mira weaves between the stalls.

            1 CAPTION: The night market opens at dusk.

            2 TITLE: THE CLIPPED COIN

            NOTE: Keep the title small; the lanterns matter more.

            PANEL 2: Medium shot. Mira holds out a coin at Theo's apple stall.

            3 MIRA: Two apples, please!

            4 THEO (WHISPER): This one's been clipped.

            5 GRANDMA ADA (OFF): Theo Brandt! Is that how you greet a customer?

            6 SFX: CLINK

            PAGES TWO–THREE

            PANEL 1
            Bird's-eye view of the whole market.

            1. OFFICER BLY (RADIO): All stalls, report clipped coins.

            2. CAPTION (MIRA): I had never seen Theo frown before.
            """)
        let report = PacingReport(chapter)
        #expect(report.pages.map(\.label) == ["1", "2–3"])
        #expect(report.pages.map(\.words) == [22, 12])
        #expect(report.pages.map(\.dialoguePanels) == [1, 1])
        #expect(report.pages.map(\.silentPanels) == [0, 0])
        #expect(report.pages.map(\.maxBalloonWords) == [9, 5])
        // Page 1 ends on "…customer?" (the SFX is not lettering that speaks): a hook.
        #expect(report.hookPages == [1])
    }

    @Test("Thresholds come from panelproc.yml's pacing: section")
    func thresholdsFromConfig() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let config = folder.appendingPathComponent("panelproc.yml")
        try """
            pacing:
              words_per_page: {ideal: [20, 120], warn_above: 200}
              panels_per_page: {warn_below: 2}
              balloon_words: 30
              model: true
            """.write(to: config, atomically: true, encoding: .utf8)
        let settings = try RunSettings.resolve(file: config.path, environment: [:])
        #expect(settings.pacing.wordsPerPage == PacingThresholds.Band(ideal: 20...120, warnAbove: 200))
        #expect(settings.pacing.panelsPerPage.warnBelow == 2 && settings.pacing.panelsPerPage.warnAbove == 8)
        #expect(settings.pacing.balloonWords == 30 && settings.pacing.model)
        #expect(settings.warnings.isEmpty)
        let report = PacingReport(try pacingFixture(), thresholds: settings.pacing)
        // 160 words is under 200, 2 panels is not under 2, a 26-word balloon is not over 30.
        #expect(report.pages.allSatisfy { $0.warnings.isEmpty })
        #expect(report.totals.score > PacingReport(try pacingFixture()).totals.score)
    }

    @Test("A bad pacing threshold names its file, line and column", arguments: [
        ("pacing:\n  words_per_page: {ideal: [100]}\n", 2, 27, "`words_per_page.ideal` should be two numbers"),
        ("pacing:\n  silent_panels: {warn_below: 5}\n", 2, 31, "should be a number from 0.0 to 1.0"),
        ("pacing:\n  pages: 3\n", 2, 3, "`pacing` has words_per_page"),
    ] as [(String, Int, Int, String)])
    func badThreshold(yaml: String, line: Int, column: Int, message: String) throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let config = folder.appendingPathComponent("panelproc.yml")
        try yaml.write(to: config, atomically: true, encoding: .utf8)
        #expect {
            _ = try RunSettings.resolve(file: config.path, environment: [:])
        } throws: { error in
            guard let error = error as? InputError else { return false }
            return error.description.contains("panelproc.yml:\(line):\(column): error:") && error.description.contains(message)
        }
    }

    @Test("pacing.svg parses as XML, has both charts with labels, and is the same bytes every time")
    func svg() throws {
        let report = PacingReport(try pacingFixture())
        let svg = PacingChart(report: report, thresholds: PacingThresholds()).svg
        #expect(svg == PacingChart(report: PacingReport(try pacingFixture()), thresholds: PacingThresholds()).svg)

        final class Collector: NSObject, XMLParserDelegate {
            var elements: [String: Int] = [:]
            var texts: [String] = []
            var fills: [String] = []
            var root: [String: String] = [:]
            func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                        attributes: [String: String] = [:]) {
                elements[name, default: 0] += 1
                if name == "svg" { root = attributes }
                if name == "rect", let fill = attributes["fill"] { fills.append(fill) }
            }
            func parser(_ parser: XMLParser, foundCharacters string: String) { texts.append(string) }
        }
        let parser = XMLParser(data: Data(svg.utf8))
        let collector = Collector()
        parser.delegate = collector
        #expect(parser.parse(), "\(parser.parserError.map { "\($0)" } ?? "")")
        #expect(collector.root["width"] == "800")
        let text = collector.texts.joined()
        for label in ["Words per page", "Panels per page", "page", "words", "panels", "warn > 150", "warn > 8", "sparse < 3"] {
            #expect(text.contains(label), "no \(label)")
        }
        // One bar per page in each chart: page 4 red in words, page 2 amber (sparse) in panels.
        #expect(collector.fills.filter { $0 == PacingChart.warnColour }.count == 1 + 1)  // the bar and the legend
        #expect(collector.fills.filter { $0 == PacingChart.sparseColour }.count == 1 + 1)
        #expect(collector.fills.filter { $0 == PacingChart.barColour }.count == 8 + 1)  // 10 bars, 2 coloured
    }

    @Test("The pacing template renders the report's numbers, every declared variable present")
    func template() throws {
        let template = try PromptLibrary.load().template(PacingPass.promptName)
        let variables = PacingPass.variables(PacingReport(try pacingFixture()), thresholds: PacingThresholds())
        #expect(Set(variables.members?.map(\.0) ?? []) == Set(template.variables))
        let user = try template.render(variables).user
        #expect(!user.contains("{{"))
        #expect(user.contains("Chapter 07-pacing-fixture: 4 pages, 11 panels, 203 words;"))
        #expect(user.contains("50.25 words per page (ideal 30–100)"))
        #expect(user.contains("- 4: 4 panels, 160 words, 4 dialogue, 0 silent, longest balloon 20; Page 4 has 160 words"))
        #expect(user.contains("ending on a page-turn hook: 1."))
    }

    @Test("The offline pacing pass adds rule-based insights through the trace, cached the second time")
    func modelPass() async throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var settings = RunSettings()
        settings.pacing.model = true
        let trace = folder.appendingPathComponent("trace.sqlite").path
        let reports = [PacingReport(try pacingFixture())]
        let first = try await PacingPass(settings: settings).run(reports, tracePath: trace, environment: [:])
        let insights = try #require(first[0].modelInsights)
        // Odd pages 1 and 3, a hook on 1 (half of them): a strength naming page 1; page 4's 160 words
        // are more than twice the mean of the others ((11 + 30 + 0) / 3 = 13.7): a warning.
        #expect(insights.contains { $0.type == .strength && $0.pages == [1] && $0.message.contains("1 of 2 right-hand pages") })
        #expect(insights.contains { $0.type == .warning && $0.pages == [4] })
        #expect(first[0].json["insights"]?.array?.count == insights.count)
        #expect(first[0].text.contains("Notes (pacing pass):"))

        let second = try await PacingPass(settings: settings).run(reports, tracePath: trace, environment: [:])
        #expect(second[0].modelInsights == insights)
        let store = try TraceStore(path: trace)
        let runs = try await store.runs(limit: 5)
        #expect(runs.map(\.callsMade) == [0, 1])
        #expect(runs.map(\.callsCached) == [1, 0])
    }
}
