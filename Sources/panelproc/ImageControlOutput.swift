import Foundation
import PanelKit

/// What `pick`, `pin`, `unpin` and `refs` share: their one line on stdout, and their failures
/// on stderr with the documented exit status (2 bad input, nothing changed; 3 a write failed).
enum ImageControlOutput {
    static func run(_ body: () async throws(RunFailure) -> String) async throws {
        let message: String
        do throws(RunFailure) {
            message = try await body()
        } catch {
            switch error {
            case .input(let input):
                Console.report(input)
                throw ExitStatus.badInput.exitCode
            case .write(let reason):
                Console.error("error: \(reason)")
                throw ExitStatus.runFailed.exitCode
            }
        }
        do {
            try FileHandle.standardOutput.write(contentsOf: Data((message + "\n").utf8))
        } catch {
            Console.error("error: cannot write to standard output: \(error.localizedDescription)")
            throw ExitStatus.runFailed.exitCode
        }
    }
}
