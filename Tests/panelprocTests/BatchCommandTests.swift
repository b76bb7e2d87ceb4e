import Foundation
import Testing
import TestSupport

@Suite("panelproc batch: the command line against the loopback Batch API fake")
struct BatchCommandTests {
    @Test("submit prints the batch ids on stdout; status, collect; a normal run then makes 0 calls; offline is bad input (exit 2)")
    func roundTrip() async throws {
        let folder = try scratchWithSamples()
        defer { try? FileManager.default.removeItem(at: folder) }
        let offline = try await panelproc(["batch", "submit", "02-the-double-spend.md"], in: folder)
        #expect(offline.status == 2, "\(offline.stderr)")
        #expect(offline.stderr.contains("provider: openai"), "\(offline.stderr)")

        let server = try await LoopbackServer.start("fake_batch_api.py", arguments: ["--key", "sk-cli-test-key"])
        defer { Task { await server.stop() } }
        try "provider: openai\nopenai_base_url: http://127.0.0.1:\(server.port)/v1\ncall_mode: fused\nimage_provider: none\n"
            .write(to: folder.appendingPathComponent("panelproc.yml"), atomically: true, encoding: .utf8)
        let key = ["OPENAI_API_KEY": "sk-cli-test-key"]
        let submit = try await panelproc(["batch", "submit", "02-the-double-spend.md"], in: folder, environment: key)
        #expect(submit.status == 0, "\(submit.stderr)")
        #expect(submit.stdoutText == "batch_fake0001\n", "\(submit.stdoutText)")
        #expect(submit.stderr.contains("fused mode: the whole book goes in one round"), "\(submit.stderr)")
        var status = ""
        for _ in 0..<5 {
            status = try await panelproc(["batch", "status"], in: folder, environment: key).stdoutText
            if status.contains("completed") { break }
        }
        #expect(status.contains("batch_fake0001") && status.contains("completed"), "\(status)")
        let collect = try await panelproc(["batch", "collect"], in: folder, environment: key)
        #expect(collect.status == 0 && collect.stdoutText.contains("answers stored"), "\(collect.stderr)")
        let run = try await panelproc(["-i", "--no-gallery", "02-the-double-spend.md"], in: folder, environment: key)
        #expect(run.stderr.contains("0 calls made"), "\(run.stderr)")
        let wrong = try await panelproc(["batch", "status", "--all"], in: folder, environment: ["OPENAI_API_KEY": "sk-wrong-0000"])
        #expect(wrong.status == 0 || wrong.status == 3)
        #expect(!wrong.stderr.contains("sk-wrong-0000"), "\(wrong.stderr)")
    }
}
