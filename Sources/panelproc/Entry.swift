import ArgumentParser
import Foundation

/// Maps every way out to the documented exit statuses: 0 success, 1 panels failed the gate,
/// 2 bad usage/input/configuration, 3 provider or I/O failure.
@main
enum Entry {
    /// Subcommands by name. The main command takes file names as positional arguments, which
    /// would swallow a subcommand's name, so the first argument picks the command here.
    static let subcommands: [String: any AsyncParsableCommand.Type] = [
        "inspect": InspectCommand.self,
        "trace": TraceCommand.self,
    ]

    static func main() async {
        var arguments = Array(CommandLine.arguments.dropFirst())
        if let first = arguments.first, let subcommand = subcommands[first] {
            arguments.removeFirst()
            await run(subcommand, arguments)
        } else {
            await run(PanelprocCommand.self, arguments)
        }
    }

    private static func run(_ type: any AsyncParsableCommand.Type, _ arguments: [String]) async {
        do {
            var command = try type.parseAsRoot(arguments)
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let exit as ExitCode {
            Foundation.exit(exit.rawValue)
        } catch {
            let message = type.fullMessage(for: error)
            if type.exitCode(for: error) == .success {
                print(message)
                Foundation.exit(0)
            }
            Console.error(message)
            Foundation.exit(ExitStatus.badInput.rawValue)
        }
    }
}

/// The exit statuses, as the README documents them.
enum ExitStatus: Int32 {
    case success = 0
    case panelsFailed = 1
    case badInput = 2
    case runFailed = 3

    var exitCode: ExitCode { ExitCode(rawValue) }
}
