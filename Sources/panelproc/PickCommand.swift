import ArgumentParser
import Foundation
import PanelKit

/// `panelproc pick PANEL-ID N [FILE]`: candidate N becomes the panel's image.
struct PickCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pick",
        abstract: "Make one of a panel's image candidates its image.",
        discussion: """
            After a run with --candidates N (or image_candidates: N), images/<id>.c1.png … hold \
            the candidates and images/<id>.png the chosen one (candidate 1). pick copies candidate \
            N over it and records the choice in manifest.json (and chapter.json); the Markdown's \
            image line is not touched. The pick survives reruns; when the panel's text changes, \
            the next run makes new candidates and says the pick was cleared.

            Examples:
              panelproc pick p01-03 2 chapter-01.md
              panelproc pick p01-03 2                 finds the panel under this folder

            Exit status 2 for an unknown panel (the nearest ids are named), a panel without \
            candidates or a number out of range; nothing is changed then.
            """)

    @Argument(help: ArgumentHelp("The panel (p01-03, or <slug>/p01-03).", valueName: "panel-id"))
    var panelID: String

    @Argument(help: ArgumentHelp("The candidate to use (1-8).", valueName: "n"))
    var candidate: Int

    @Argument(help: ArgumentHelp("The chapter file (default: search the Markdown files under this folder).", valueName: "file"))
    var file: String?

    @OptionGroup var common: CommonOptions

    func validate() throws {
        guard ImageControlSettings.candidateRange.contains(candidate) else {
            throw ValidationError("the candidate number must be from 1 to 8, got \(candidate).")
        }
        try common.validate()
    }

    func run() async throws {
        let settings = try common.resolveSettings(near: file)
        try await ImageControlOutput.run { () throws(RunFailure) in
            try ImageControl.pick(try PanelTarget.locate(panelID, file: file, settings: settings), candidate: candidate)
        }
    }
}
