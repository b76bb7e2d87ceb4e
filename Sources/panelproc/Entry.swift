import ArgumentParser
import PanelKit
import Foundation

/// Maps every way out to the documented exit statuses: 0 success, 1 panels failed the gate,
/// 2 bad usage/input/configuration, 3 provider or I/O failure.
@main
enum Entry {
    /// `panelproc`: the run is the default subcommand, so `panelproc chapter.md` runs it.
    struct Root: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "panelproc", abstract: PanelprocCommand.configuration.abstract,
            version: PanelKitVersion.string,
            subcommands: [PanelprocCommand.self, InspectCommand.self, TraceCommand.self, PacingCommand.self, StatusCommand.self,
                          PickCommand.self, PinCommand.self, UnpinCommand.self, RefsCommand.self, DraftCommand.self,
                          ContinuityCommand.self, BatchCommand.self],
            defaultSubcommand: PanelprocCommand.self)
    }

    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        // `panelproc --help` documents the command people run (every flag), then the others.
        if arguments == ["--help"] || arguments == ["-h"] {
            print(Root.helpMessage(for: PanelprocCommand.self))
            print(Root.helpMessage(for: Root.self).components(separatedBy: "\nSUBCOMMANDS:").dropFirst().map { "SUBCOMMANDS:" + $0 }.joined())
            Foundation.exit(0)
        }
        await run(Root.self, arguments)
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
