import Foundation
import Testing
import TestSupport

@Suite("panelproc --provider openai")
struct TextProviderCommandTests {
    let canary = "sk-canary-1234567890abcdef"

    @Test("A rejected key (401) stops the run with exit 3 naming OPENAI_API_KEY; the canary key is in no output or file")
    func rejectedKey() async throws {
        let server = try await FakeChatAPI.start(["--key", "the-right-key"])
        let folder = try scratchWithSamples()
        defer { try? FileManager.default.removeItem(at: folder) }
        let result = try await panelproc(["--provider", "openai", "--model", "fake", "--images", "none", "--json", "02-the-double-spend.md"],
                                         in: folder,
                                         environment: ["OPENAI_API_KEY": canary, "OPENAI_BASE_URL": server.baseURL.absoluteString])
        #expect(result.status == 3, "\(result.stderr)")
        #expect(result.stderr.contains("OPENAI_API_KEY"), "\(result.stderr)")
        #expect(!result.stderr.contains(canary) && !result.stdoutText.contains(canary))
        #expect(try await server.count().byOutcome["401"] ?? 0 >= 1)
        for path in (FileManager.default.enumerator(atPath: folder.path)?.allObjects as? [String]) ?? [] {
            let data = FileManager.default.contents(atPath: folder.appendingPathComponent(path).path) ?? Data()
            #expect(data.range(of: Data(canary.utf8)) == nil, "the canary key is in \(path)")
        }
        await server.stop()
    }

    @Test("No key for a remote endpoint: exit 3 naming the variable, before any request")
    func missingKey() async throws {
        let folder = try scratchWithSamples()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data("provider: openai\nopenai_api_key_env: MY_LLM_KEY\n".utf8).write(to: folder.appendingPathComponent("panelproc.yml"))
        let result = try await panelproc(["--images", "none", "02-the-double-spend.md"], in: folder,
                                         environment: ["MY_LLM_KEY": "", "OPENAI_BASE_URL": "https://llm.invalid/v1"])
        #expect(result.status == 3, "\(result.stderr)")
        #expect(result.stderr.contains("MY_LLM_KEY"), "\(result.stderr)")
    }

    @Test("A bad --provider is a usage error (exit 2); the offline engine stays the default")
    func usage() async throws {
        let bad = try await panelproc(["--provider", "magic", "x.md"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("--provider"))
    }

    @Test("The whole chapter through the loopback server with --provider openai: exit 0 or 1, a valid chapter.json")
    func endToEnd() async throws {
        let server = try await FakeChatAPI.start()
        let folder = try scratchWithSamples()
        defer { try? FileManager.default.removeItem(at: folder) }
        let result = try await panelproc(["--provider", "openai", "--model", "fake", "--images", "none", "--json", "-i", "02-the-double-spend.md"],
                                         in: folder, environment: ["OPENAI_API_KEY": canary, "OPENAI_BASE_URL": server.baseURL.absoluteString])
        #expect([0, 1].contains(result.status), "\(result.stderr)")
        let json = try Data(contentsOf: folder.appendingPathComponent("generated/02-the-double-spend/chapter.json"))
        _ = try JSONSerialization.jsonObject(with: json)
        #expect(try await server.count().total > 0)
        await server.stop()
    }

    @Test("--concurrency 32 keeps 32 requests in flight against the server (the HTTP pool follows the flag, not only the file)")
    func concurrencyFlagSizesThePool() async throws {
        let server = try await FakeChatAPI.start(["--latency-ms", "400"])
        let folder = try scratchWithSamples()
        defer { try? FileManager.default.removeItem(at: folder) }
        // 40 panels: theme and roles of each are ready at once, so 80 calls wait for 32 slots.
        var chapter = "# Crowd\n"
        for number in 1...40 { chapter += "\n### Panel \(number)\n\nMira counts coin \(number) at the market.\n" }
        try Data(chapter.utf8).write(to: folder.appendingPathComponent("crowd.md"))
        let result = try await panelproc(["--provider", "openai", "--model", "fake", "--images", "none", "--concurrency", "32", "crowd.md"],
                                         in: folder, environment: ["OPENAI_API_KEY": canary, "OPENAI_BASE_URL": server.baseURL.absoluteString])
        #expect([0, 1].contains(result.status), "\(result.stderr)")
        #expect(try await server.maxInFlight() == 32)
        await server.stop()
    }
}
