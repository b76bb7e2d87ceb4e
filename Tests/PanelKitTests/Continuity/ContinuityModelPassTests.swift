import Foundation
@testable import PanelKit
import Testing
import TestSupport

/// The model pass through the `openai` provider against `fake_chat_api.py`, and offline.
@Suite("Continuity model pass")
struct ContinuityModelPassTests {
    typealias F = ContinuityFixture

    func settings(_ server: FakeChatAPI?) -> RunSettings {
        var settings = RunSettings()
        settings.continuity.model = true
        if let server {
            settings.textProvider = .openai
            settings.textModel = "fake-model"
            settings.openAIBaseURL = server.baseURL.absoluteString
            settings.retryAttempts = 1
        }
        return settings
    }

    func input(_ name: String = "seeded.md") -> ContinuityPass.Input {
        ContinuityPass.Input(chapter: F.fixture(name), database: F.database, decisions: nil)
    }

    @Test("Model alerts are validated (panel ids must exist), deduplicated against the rules', traced and cached")
    func loopback() async throws {
        let answer = #"""
            {"continuity": {"alerts": [
              {"type": "knowledge", "severity": "medium", "title": "Bly knows Mira's name before meeting her",
               "description": "Bly greets Mira by name in p02-02; they never met.", "source_panel": "p01-01",
               "conflict_panel": "01-seeded-continuity-errors/p02-02", "suggested_fix": "Have Mira introduce herself."},
              {"type": "plot_thread", "severity": "high", "title": "A panel that does not exist",
               "description": "", "source_panel": "p01-01", "conflict_panel": "p09-09", "suggested_fix": ""},
              {"type": "character_state", "severity": "low", "title": "Theo is back with no cause",
               "description": "", "source_panel": "p01-03", "conflict_panel": "p02-01", "suggested_fix": ""}
            ]}}
            """#
        let server = try await FakeChatAPI.start(["--answers", answer])
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("continuity-model-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let trace = folder.appendingPathComponent("trace.sqlite").path
        let pass = ContinuityPass(settings: settings(server))
        let reports = try await pass.run([input()], tracePath: trace, environment: ["OPENAI_API_KEY": "k"])
        let report = reports[0]
        #expect(report.modelChecked)
        let model = report.alerts.filter { $0.foundBy == "model" }
        // The second cites p09-09 (dropped); the third points at the presence rule's panels (a duplicate).
        #expect(model.count == 1)
        #expect(model.first?.type == .knowledge && model.first?.conflict.panel == "p02-02" && model.first?.conflict.line == 50)
        #expect(report.alerts.count == 6)
        #expect(try await server.count().total == 1)
        // Traced under the chapter's window (the prompt as sent), and answered from the cache the second time.
        let calls = try await TraceStore(path: trace).calls(panelID: "01-seeded-continuity-errors/continuity-1")
        #expect(calls.count == 1)
        let prompt = try #require(calls.first?.record.request)
        #expect(prompt.contains("[p01-01] Setting: The market. Mira, in her blue raincoat"))
        #expect(prompt.contains("Mira Okafor: ten-year-old girl"))
        #expect(prompt.contains("Later that morning") && prompt.contains("p01-02: "))
        let again = try await pass.run([input()], tracePath: trace, environment: ["OPENAI_API_KEY": "k"])
        #expect(again[0].alerts.map(\.id) == report.alerts.map(\.id))
        #expect(try await server.count().total == 1)
        await server.stop()
    }

    @Test("The pass honours the run's call settings: a slow server past call_timeout fails the pass as timed out, and max_tokens is sent")
    func callSettingsApply() async throws {
        let server = try await FakeChatAPI.start(["--latency-ms", "2000"])
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("continuity-limits-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        var settings = settings(server)
        settings.callLimits.callTimeoutSeconds = 0.3
        do {
            _ = try await ContinuityPass(settings: settings).run([input()], tracePath: folder.appendingPathComponent("t.sqlite").path,
                                                                 environment: ["OPENAI_API_KEY": "k"])
            Issue.record("a 2 s server answered within a 0.3 s call_timeout")
        } catch {
            #expect("\(error)".contains("call_timeout"), "\(error)")
        }
        // The server records a request once it has answered it, after its 2 s.
        var requests: [[String: Any]] = []
        for _ in 0..<50 where requests.isEmpty {
            try await Task.sleep(for: .milliseconds(100))
            requests = try await server.requests()
        }
        #expect(!requests.isEmpty && requests.allSatisfy { ($0["max_tokens"] as? Int ?? 0) > 0 })
        await server.stop()
    }

    @Test("Earlier chapters' facts reach the next chapter's prompt")
    func factsCarried() async throws {
        let server = try await FakeChatAPI.start(["--answers", #"{"continuity": {"alerts": []}}"#])
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("continuity-model-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let inputs = ["saga/2-the-bank.md", "saga/1-the-red-scarf.md"].map(input)
        _ = try await ContinuityPass(settings: settings(server)).run(inputs, tracePath: folder.appendingPathComponent("t.sqlite").path,
                                                                     environment: ["OPENAI_API_KEY": "k"])
        let store = try TraceStore(path: folder.appendingPathComponent("t.sqlite").path)
        var prompts: [String] = []
        for panel in ["01-the-red-scarf/continuity-1", "02-the-bank/continuity-1"] {
            prompts += try await store.calls(panelID: panel).map(\.record.request)
        }
        #expect(prompts.count == 2)
        // Chapter 1 first, with nothing established; chapter 2 hears of the scarf.
        #expect(prompts[0].contains("Chapter 01-the-red-scarf") && prompts[0].contains("(nothing yet)"))
        #expect(prompts[1].contains("Chapter 02-the-bank") && prompts[1].contains("Theo Brandt has a red scarf (since 01-the-red-scarf/p01-01)"))
        await server.stop()
    }

    @Test("Offline, the model pass answers deterministically with no alerts of its own")
    func offline() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("continuity-model-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let reports = try await ContinuityPass(settings: settings(nil)).run([input()], tracePath: folder.appendingPathComponent("t.sqlite").path,
                                                                            environment: [:])
        #expect(reports[0].modelChecked)
        #expect(reports[0].alerts.count == 5 && reports[0].alerts.allSatisfy { $0.foundBy != "model" })
        #expect(reports[0].json["model_checked"] == .bool(true))
    }
}
