import ArgumentParser
import Foundation
import PanelKit

/// `panelproc unpin PANEL-ID [FILE]`: a pinned panel goes back to generated images.
struct UnpinCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unpin",
        abstract: "Return a pinned panel to generation.",
        discussion: """
            Removes the panel's pinned entry from manifest.json (and its image from chapter.json); \
            the next run makes a new image for it.

            Example:
              panelproc unpin p01-03 chapter-01.md

            Exit status 2, with nothing changed, for an unknown panel or one that is not pinned.
            """)

    @Argument(help: ArgumentHelp("The panel (p01-03, or <slug>/p01-03).", valueName: "panel-id"))
    var panelID: String

    @Argument(help: ArgumentHelp("The chapter file (default: search the Markdown files under this folder).", valueName: "file"))
    var file: String?

    @OptionGroup var common: CommonOptions

    func validate() throws { try common.validate() }

    func run() async throws {
        let settings = try common.resolveSettings(near: file)
        try await ImageControlOutput.run { () throws(RunFailure) in
            try ImageControl.unpin(try PanelTarget.locate(panelID, file: file, settings: settings))
        }
    }
}
