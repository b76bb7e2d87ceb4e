import ArgumentParser
import Foundation
import PanelKit

/// `panelproc refs ID` / `panelproc refs --approve REF-ID`: reference sheets.
struct RefsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "refs",
        abstract: "Draw a reference sheet for a character or location, or approve one.",
        discussion: """
            refs ID asks the image provider for a reference sheet: for a character, the front, \
            side and back view on a plain background; for a location, an establishing view. The \
            sketch provider draws a labelled turnaround offline. The sheet is saved as \
            refs/<id>-sheet.png beside the character database and added to the entry's \
            reference_images with status draft (the database is rewritten atomically; its \
            formatting and key order are kept). refs --approve REF-ID marks it approved: from \
            then on it goes with every panel the character or location appears in, to providers \
            that accept reference images (openai gpt-image models, gemini).

            Examples:
              panelproc refs mira
              panelproc refs bank-hall --image-provider openai
              panelproc refs --approve mira-sheet

            Exit status 2 for an unknown id (the nearest are named); nothing is changed then.
            """)

    @Argument(help: ArgumentHelp("The character or location id.", valueName: "id"))
    var id: String?

    @Option(help: ArgumentHelp("Mark this reference image approved.", valueName: "ref-id"))
    var approve: String?

    @Option(help: ArgumentHelp("The character database (default: as a run finds it).", valueName: "file"))
    var characters: String?

    @Option(name: .customLong("image-provider"), help: ArgumentHelp("Who draws the sheet (default: image_provider, else sketch).",
                                                                    valueName: "provider"))
    var imageProvider: RunSettings.ImageProviderKind?

    @OptionGroup var common: CommonOptions

    func validate() throws {
        if (id == nil) == (approve == nil) {
            throw ValidationError("name a character or location id to draw a sheet, or --approve REF-ID to approve one (not both).")
        }
        try common.validate()
    }

    func run() async throws {
        var flags = FlagSettings()
        flags.imageProvider = imageProvider
        let settings = try common.resolveSettings(near: characters, flags: flags)
        try await ImageControlOutput.run { () async throws(RunFailure) in
            let path = try ReferenceSheets.databasePath(characters, settings: settings)
            if let approve { return try ReferenceSheets.approve(approve, databasePath: path) }
            return try await ReferenceSheets.make(id ?? "", databasePath: path, settings: settings,
                                                  environment: ProcessInfo.processInfo.environment)
        }
    }
}
