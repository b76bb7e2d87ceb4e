import Foundation
@testable import PanelKit
import Testing
import TestSupport

@Suite("panelproc draft: state, choice and staleness")
struct DraftStateTests {
    @Test("The DAG: dependencies come first, and the dependants of a step are exactly the steps that read it")
    func dag() {
        let ids = DraftStep.all.map(\.id)
        #expect(ids == ["lore", "cast", "narrative", "scenes", "pages"])
        for (index, step) in DraftStep.all.enumerated() {
            #expect(step.dependencies.allSatisfy { ids.prefix(index).contains($0) })
            #expect(step.promptName == "draft_" + step.id)
            #expect(DraftStep.offlineEngines[step.promptName] != nil)
        }
        #expect(DraftStep.dependants(of: "lore").map(\.id) == ["cast", "narrative", "scenes", "pages"])
        #expect(DraftStep.dependants(of: "narrative").map(\.id) == ["scenes", "pages"])
        #expect(DraftStep.dependants(of: "scenes").map(\.id) == ["pages"])
        #expect(DraftStep.dependants(of: "pages").isEmpty)
        #expect(DraftStep.all.filter(\.hasOptions).map(\.id) == ["lore", "narrative"])
    }

    @Test("--choose narrative 2 makes scenes and pages stale (and only those); the run redoes them; choosing 1 again is served from the cache")
    func chooseNarrative() async throws {
        let scratch = try DraftScratch()
        defer { scratch.remove() }
        _ = try await scratch.runner().run(DraftScratch.request, environment: [:])
        let first = try scratch.chapterText()
        let narrative = try #require(try DraftStateFolder.forChapter(scratch.chapter).readRecord("narrative"))
        #expect(narrative.choice == 1 && narrative.options.count == 3)

        let (stale, after) = try scratch.runner().choose(step: "narrative", option: 2)
        #expect(stale == ["scenes", "pages"])
        #expect(after.map(\.state) == [.done, .done, .done, .stale, .stale])
        #expect(after[2].choice == 2)
        let redo = try await scratch.runner().run(nil, environment: [:])
        #expect(redo.stepsRun == ["scenes", "pages"])
        #expect(redo.callsMade == 5, "scenes and 4 pages")
        let second = try scratch.chapterText()
        #expect(second != first, "arc 2 puts the pressure on another character")
        #expect(try scratch.parsed().diagnostics.isEmpty)
        #expect(try scratch.unresolvedNames().isEmpty)

        let (back, _) = try scratch.runner().choose(step: "narrative", option: 1)
        #expect(back == ["scenes", "pages"])
        let again = try await scratch.runner().run(nil, environment: [:])
        #expect(again.callsMade == 0 && again.callsCached == 5)
        #expect(try scratch.chapterText() == first)
    }

    @Test("--choose lore 2 makes every later step stale")
    func chooseLore() async throws {
        let scratch = try DraftScratch()
        defer { scratch.remove() }
        _ = try await scratch.runner().run(DraftScratch.request, environment: [:])
        let (stale, _) = try scratch.runner().choose(step: "lore", option: 2)
        #expect(stale == ["cast", "narrative", "scenes", "pages"])
        let plan = try await scratch.runner().plan(nil, environment: [:])
        #expect(plan.map(\.state) == [.done, .stale, .stale, .stale, .stale])
        #expect(plan.map(\.callNeeded) == [false, true, true, true, true])
        let redo = try await scratch.runner().run(nil, environment: [:])
        #expect(redo.stepsRun == ["cast", "narrative", "scenes", "pages"])
        // Lore option 2 centres the story on the premise's second noun.
        #expect(try scratch.chapterText().contains("at the harbor"))
    }

    @Test("--choose refuses a step without options, an option out of range, and a draft not run yet")
    func chooseErrors() async throws {
        let scratch = try DraftScratch()
        defer { scratch.remove() }
        #expect(throws: RunFailure.self) { try scratch.runner().choose(step: "narrative", option: 1) }
        _ = try await scratch.runner().run(DraftScratch.request, environment: [:])
        #expect(throws: RunFailure.self) { try scratch.runner().choose(step: "cast", option: 1) }
        #expect(throws: RunFailure.self) { try scratch.runner().choose(step: "lore", option: 4) }
        #expect(throws: RunFailure.self) { try scratch.runner().choose(step: "plot", option: 1) }
        let plan = try await scratch.runner().plan(nil, environment: [:])
        #expect(plan.allSatisfy { $0.state == .done && !$0.callNeeded })
    }

    @Test("--dry-run: a fresh draft has every step to do; a step whose answer the trace holds is answered from the cache")
    func dryRun() async throws {
        let scratch = try DraftScratch()
        defer { scratch.remove() }
        let fresh = try await scratch.runner().plan(DraftScratch.request, environment: [:])
        #expect(fresh.map(\.state) == [.toDo, .toDo, .toDo, .toDo, .toDo])
        #expect(fresh.allSatisfy { $0.callNeeded })
        let folder = scratch.runner().stateFolder
        #expect(!FileManager.default.fileExists(atPath: folder), "a dry run writes nothing")
        _ = try await scratch.runner().run(DraftScratch.request, environment: [:])
        // The state is lost but the trace still holds every answer.
        try FileManager.default.removeItem(atPath: scratch.runner().stateFolder + "/lore.json")
        let plan = try await scratch.runner().plan(DraftScratch.request, environment: [:])
        #expect(plan[0].state == .toDo && plan[0].cached && !plan[0].callNeeded)
        #expect(plan.dropFirst().allSatisfy { $0.state == .stale })
    }

    @Test("A damaged state file is an input error naming it")
    func damagedState() async throws {
        let scratch = try DraftScratch()
        defer { scratch.remove() }
        _ = try await scratch.runner().run(DraftScratch.request, environment: [:])
        let file = scratch.runner().stateFolder + "/cast.json"
        try Data("{\"schema_version\": 1}".utf8).write(to: URL(fileURLWithPath: file))
        do {
            _ = try await scratch.runner().run(nil, environment: [:])
            Issue.record("expected an input error")
        } catch {
            guard case .input(let problem) = error else { Issue.record("\(error)"); return }
            #expect(problem.file == file)
        }
    }
}
