import ArgumentParser
import Foundation
import PanelKit

/// `panelproc pin PANEL-ID IMAGE [FILE]`: the writer's or artist's own image for a panel.
struct PinCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pin",
        abstract: "Use your own image for a panel; it is never regenerated.",
        discussion: """
            Copies IMAGE (PNG, JPEG or WebP, recognised by its first bytes; at most pin_max_mb, \
            default 20 MB) to generated/<slug>/images/<id>.<ext> and marks it pinned in \
            manifest.json with its SHA-256 and original file name (chapter.json too). A pinned \
            image is never made again: not by --force-images, not when the panel's text \
            changes (status and the run's summary then say "pinned, text changed since pin"). \
            `panelproc unpin PANEL-ID` returns the panel to generation.

            Examples:
              panelproc pin p01-03 ~/art/bank-hall.png chapter-01.md
              panelproc pin p02-01 cover.jpg

            Exit status 2, with nothing changed, for an unknown panel (the nearest ids are \
            named), a missing or unreadable file, a file that is not an image, a GIF or other \
            format, or one over the size limit.
            """)

    @Argument(help: ArgumentHelp("The panel (p01-03, or <slug>/p01-03).", valueName: "panel-id"))
    var panelID: String

    @Argument(help: ArgumentHelp("Your image: PNG, JPEG or WebP.", valueName: "image"))
    var image: String

    @Argument(help: ArgumentHelp("The chapter file (default: search the Markdown files under this folder).", valueName: "file"))
    var file: String?

    @OptionGroup var common: CommonOptions

    func validate() throws { try common.validate() }

    func run() async throws {
        let settings = try common.resolveSettings(near: file)
        try await ImageControlOutput.run { () throws(RunFailure) in
            try ImageControl.pin(try PanelTarget.locate(panelID, file: file, settings: settings), image: image,
                                 maxBytes: settings.imageControl.pinMaxBytes)
        }
    }
}
