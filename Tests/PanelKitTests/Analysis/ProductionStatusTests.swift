import Foundation
@testable import PanelKit
import Testing
import TestSupport

/// A folder holding the two samples, the pacing fixture and a file without panels, with the
/// character database, plus a `generated/` folder whose Markdown must not be read.
struct StatusBook {
    let folder: URL

    init() throws {
        folder = try makeTemporaryFolder()
        for name in ["01-paper-and-promises.md", "02-the-double-spend.md", "no-panels.md"] {
            try Data(try RepoPaths.bytes(RepoPaths.fixture("samples/\(name)"))).write(to: url(name))
        }
        try Data(try RepoPaths.bytes(RepoPaths.fixture("pacing/pacing-fixture.md"))).write(to: url("part-two/pacing-fixture.md"), createFolder: true)
        try Data(try RepoPaths.bytes(RepoPaths.fixture("samples/character_base_list.json")))
            .write(to: url("characters/character_base_list.json"), createFolder: true)
        try Data("## Page 1\n\n### Panel 1\n\nNot a chapter.\n".utf8).write(to: url("generated/stray.md"), createFolder: true)
    }

    func url(_ path: String) -> URL { folder.appendingPathComponent(path) }
    func text(_ path: String) throws -> String { try String(contentsOf: url(path), encoding: .utf8) }
    func write(_ path: String, _ text: String) throws { try text.write(to: url(path), atomically: true, encoding: .utf8) }
    func remove() { try? FileManager.default.removeItem(at: folder) }

    /// Runs panelproc over the chapters as `panelproc -i` does (offline engine, no images), with
    /// one trace at the top of the book.
    func run(_ paths: [String]) async throws -> RunReport {
        var settings = RunSettings()
        settings.inPlace = true
        settings.trace = url(".panelproc/trace.sqlite").path
        let pipeline = Pipeline(settings: settings)
        return try await pipeline.run(try pipeline.prepare(files: paths.map(url)))
    }

    func status(_ day: String) async throws -> ProductionStatus {
        var settings = RunSettings()
        settings.trace = url(".panelproc/trace.sqlite").path
        return try await StatusRun(settings: settings, today: CalendarDay(day)!).run([folder.path])
    }
}

extension Data {
    func write(to url: URL, createFolder: Bool) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try write(to: url)
    }
}

@Suite("Production status")
struct ProductionStatusTests {
    @Test("Three chapters found in chapter order; one panel edited after the run is the one stale panel")
    func staleAfterEdit() async throws {
        let book = try StatusBook()
        defer { book.remove() }
        let report = try await book.run(["01-paper-and-promises.md", "02-the-double-spend.md", "part-two/pacing-fixture.md"])
        #expect(report.chapters.count == 3)

        let before = try await book.status("2027-01-04")
        #expect(before.chapters.map(\.slug) == ["01-paper-and-promises", "02-the-double-spend", "07-pacing-fixture"])
        #expect(before.chapters.allSatisfy { $0.stale == 0 && $0.neverRun == 0 })

        // Edit one balloon of chapter 2's second panel.
        let edited = try book.text("02-the-double-spend.md")
        try book.write("02-the-double-spend.md", edited.replacingOccurrences(of: "Can I use it twice?", with: "Can I use it three times?"))
        let after = try await book.status("2027-01-04")
        #expect(after.chapters.map(\.stale) == [0, 1, 0])
        for (chapter, ran) in zip(after.chapters, report.chapters) {
            // Every panel is in exactly one state.
            #expect(chapter.passed + chapter.failed + chapter.forced + chapter.neverRun + chapter.stale == chapter.panels)
            #expect(chapter.panels == ran.panels.count)
            // No image provider: every image is missing.
            #expect(chapter.imagesMissing == chapter.panels && chapter.imagesCurrent == 0)
        }
        // The run's verdicts, for the panels that did not change.
        let passed = report.chapters.map { $0.panels.filter { $0.status == .passed }.count }
        #expect(after.chapters[0].passed == passed[0] && after.chapters[2].passed == passed[2])
        let totals = after.totals
        #expect(totals.panels == after.chapters.reduce(0) { $0 + $1.panels } && totals.stale == 1)
        #expect(after.text(colour: false).contains("series (3 chapters)"))
        #expect(!after.text(colour: false).contains("\u{1B}["))
        #expect(after.text(colour: true).contains("\u{1B}["))
    }

    @Test("A chapter without due: has no outlook and is not at risk")
    func noDueDate() async throws {
        let book = try StatusBook()
        defer { book.remove() }
        let status = try await book.status("2027-01-04")
        let first = try #require(status.chapters.first)
        #expect(first.due == nil && first.targetPages == nil && first.progress == nil)
        #expect(first.state == .noDueDate && first.neededPerDay == nil && first.projected == nil)
        // Never run: no trace states yet.
        #expect(first.neverRun == first.panels)
        #expect(status.json["chapters"]?.array?.first?["due"] == .null)
        #expect(status.json["chapters"]?.array?.first?["state"]?.string == "no due date")
    }

    /// The fixture has 4 pages, `target_pages: 8`, `due: 2027-02-15`.
    /// - 2026-12-01: a snapshot of 0 pages, outside the 14-day window of 2027-01-05 (from 2026-12-22).
    /// - 2027-01-01: status with pages 3 and 4 cut: 2 pages.
    /// - 2027-01-05: the full 4 pages. Velocity (4 − 2) / 4 days = 0.5 pages a day; 4 pages to go:
    ///   8 days → 2027-01-13, before the due date: on track; needed 4 / 41 days = 0.098 a day.
    /// - With `due: 2027-01-10`: 2027-01-13 is late, at risk, needing 4 / 5 = 0.8 pages a day.
    @Test("Snapshots over fake dates give a known velocity and projection")
    func velocity() async throws {
        let book = try StatusBook()
        defer { book.remove() }
        let store = try TraceStore(path: book.url(".panelproc/trace.sqlite").path)
        try await store.recordSnapshots([ChapterSnapshot(chapterSlug: "07-pacing-fixture", day: CalendarDay("2026-12-01")!, pages: 0,
                                                         panels: 0, words: 0, passed: 0, costUSD: 0)])
        let full = try book.text("part-two/pacing-fixture.md")
        let cut = String(full[..<full.range(of: "## Page 3")!.lowerBound])
        try book.write("part-two/pacing-fixture.md", cut)
        let early = try await book.status("2027-01-01")
        #expect(early.chapters[2].pages == 2)

        try book.write("part-two/pacing-fixture.md", full)
        let status = try await book.status("2027-01-05")
        let chapter = status.chapters[2]
        #expect(chapter.pages == 4 && chapter.progress == 0.5)
        #expect(chapter.velocity == 0.5)
        #expect(chapter.projected == CalendarDay("2027-01-13"))
        #expect(chapter.state == .onTrack)
        #expect(PacingReport.round(chapter.neededPerDay ?? 0, 3) == 0.098)

        // The same day again: still one row for the day, and the same answer.
        let again = try await book.status("2027-01-05")
        #expect(again.chapters[2].velocity == 0.5)
        let rows = try await store.snapshots(chapterSlugs: ["07-pacing-fixture"], since: CalendarDay("2026-01-01")!)
        #expect(rows["07-pacing-fixture"]?.map(\.day.description) == ["2026-12-01", "2027-01-01", "2027-01-05"])

        try book.write("part-two/pacing-fixture.md", full.replacingOccurrences(of: "due: 2027-02-15", with: "due: 2027-01-10"))
        let late = try await book.status("2027-01-05").chapters[2]
        #expect(late.state == .atRisk && late.neededPerDay == 0.8 && late.projected == CalendarDay("2027-01-13"))
        let json = try await book.status("2027-01-05").json.serialized()
        #expect(json.contains("\"velocity_pages_per_day\": 0.5,"))
        #expect(json.contains("\"projected_completion\": \"2027-01-13\","))
        #expect(json.contains("\"state\": \"at risk\""))
        // Series progress counts only the chapters with a target: 4 of 8 pages.
        #expect(json.contains("\"target_pages\": 8,\n    \"progress\": 0.5,"))
    }

    @Test("A bad due: date is an input error at its line and column", arguments: ["2027-02-30", "15/02/2027", "soon", "2027-2-15"])
    func badDue(value: String) throws {
        #expect {
            _ = try parse("---\ntitle: T\ndue: \(value)\n---\n\n## Page 1\n\n### Panel 1\n\nA street.\n")
        } throws: { error in
            (error as? InputError)?.description.hasPrefix("test.md:3:6: error: malformed front matter: `due` should be a date like 2027-02-15") == true
        }
    }

    @Test("target_pages and due are known front matter keys")
    func knownKeys() throws {
        let chapter = try parse("---\ntitle: T\ndue: 2027-02-15\ntarget_pages: 22\n---\n\n## Page 1\n\n### Panel 1\n\nA street.\n")
        #expect(chapter.frontMatter?.due == CalendarDay("2027-02-15") && chapter.frontMatter?.targetPages == 22)
        #expect(chapter.frontMatter?.unknownKeys.isEmpty == true)
        #expect(chapter.diagnostics.isEmpty)
    }

    @Test("Calendar days: real dates only, differences, and round trips")
    func calendarDays() {
        #expect(CalendarDay("2024-02-29") != nil && CalendarDay("2023-02-29") == nil && CalendarDay("2027-13-01") == nil)
        #expect(CalendarDay("1970-01-01")?.ordinal == 0)
        #expect(CalendarDay("2027-02-15")! - CalendarDay("2027-01-05")! == 41)
        for text in ["1999-12-31", "2000-02-29", "2027-01-13", "2100-03-01"] { #expect(CalendarDay(text)?.description == text) }
        #expect(CalendarDay("2027-01-31")!.adding(days: 1).description == "2027-02-01")
        #expect(CalendarDay(Date(timeIntervalSince1970: 86_400 * 3 + 3_600)).description == "1970-01-04")
    }

    @Test("Every run writes pacing.json and pacing.svg, byte-identical on a rerun, and records today's snapshot")
    func runWritesPacing() async throws {
        let book = try StatusBook()
        defer { book.remove() }
        _ = try await book.run(["part-two/pacing-fixture.md"])
        let json = try RepoPaths.bytes(book.url("part-two/generated/07-pacing-fixture/pacing.json"))
        let svg = try RepoPaths.bytes(book.url("part-two/generated/07-pacing-fixture/pacing.svg"))
        #expect(String(decoding: json, as: UTF8.self) == PacingReport(try pacingFixture()).json.serialized())
        _ = try await book.run(["part-two/pacing-fixture.md"])
        #expect(try RepoPaths.bytes(book.url("part-two/generated/07-pacing-fixture/pacing.json")) == json)
        #expect(try RepoPaths.bytes(book.url("part-two/generated/07-pacing-fixture/pacing.svg")) == svg)
        let store = try TraceStore(path: book.url(".panelproc/trace.sqlite").path)
        let rows = try await store.snapshots(chapterSlugs: ["07-pacing-fixture"], since: CalendarDay(Date()).adding(days: -1))
        #expect(rows["07-pacing-fixture"]?.count == 1)
        #expect(rows["07-pacing-fixture"]?.first?.pages == 4 && rows["07-pacing-fixture"]?.first?.words == 203)
    }
}
