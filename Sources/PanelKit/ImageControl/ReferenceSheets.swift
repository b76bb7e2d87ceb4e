import Foundation

/// `panelproc refs`: a reference sheet for a character (front, side and back view on a plain
/// background) or a location (an establishing view), made by the configured image provider,
/// saved under the database's `refs/` folder and added to the entry as a `draft`; `--approve`
/// marks a sheet `approved`, after which it goes with every panel its character or location is
/// in (for providers that accept reference images).
public enum ReferenceSheets {
    /// The sheet's size: wide enough for three views side by side.
    static let size = ImageSize(width: 1200, height: 800)

    /// The database `refs` works on: `--characters`, else `characters` in panelproc.yml or the
    /// environment, else `characters/character_base_list.json` found from the working folder up.
    public static func databasePath(_ given: String?, settings: RunSettings) throws(RunFailure) -> String {
        if let given { return FileIO.absolute(given) }
        let located = CharacterDatabaseLocator.locate(chapterFolder: FileManager.default.currentDirectoryPath, frontMatterPath: nil,
                                                      configuredPath: settings.characters)
        guard let path = located.path else {
            throw .input(InputError(file: "panelproc refs", message: "no character database found (looked in \(located.searched.joined(separator: ", ")))",
                                    hint: "name it with --characters FILE"))
        }
        return path
    }

    /// Makes and records a sheet with the run's image provider.
    public static func make(_ id: String, databasePath: String, settings: RunSettings,
                            environment: [String: String]) async throws(RunFailure) -> String
    {
        let provider: any ImageProvider
        do throws(InputError) {
            guard let made = try ImageProviders.make(settings, environment: environment) else {
                throw InputError(file: "panelproc refs", message: "image_provider is none, so no sheet can be drawn",
                                 hint: "use --image-provider sketch (offline) or set image_provider")
            }
            provider = made
        } catch {
            throw .input(error)
        }
        return try await make(id, databasePath: databasePath, provider: provider)
    }

    /// The request for `id`'s sheet, and which section of the database it belongs to.
    static func request(for id: String, in database: CharacterDatabase) throws(RunFailure) -> (ImageRequest, DatabaseEditor.Section, String) {
        let sheet: PanelLayout.ReferenceSheet
        let prompt: String
        let section: DatabaseEditor.Section
        let entryID: String
        if let character = database.characters.first(where: { $0.id.lowercased() == id.lowercased() }) {
            sheet = .init(subject: .character, name: character.name, description: character.appearance)
            prompt = "Character reference sheet of \(character.name): \(character.appearance). Three full-figure views side by side, "
                + "labelled FRONT, SIDE and BACK, the same height, neutral standing pose, on a plain white background."
            section = .characters
            entryID = character.id
        } else if let location = database.location(id: id) {
            sheet = .init(subject: .location, name: location.name, description: location.description)
            prompt = "Establishing view of \(location.name): \(location.description). Wide shot, no people, even daylight, "
                + "a location reference for a comic."
            section = .locations
            entryID = location.id
        } else {
            let ids = database.characters.map(\.id) + database.locations.map(\.id)
            throw .input(InputError(file: database.path, message: "no character or location with id \"\(id)\"",
                                    hint: "known ids nearest to it: \(PanelTarget.nearest(id, in: ids).joined(separator: ", "))"))
        }
        var layout = PanelLayout(panelID: entryID, title: sheet.name, shot: nil, characters: [], bubbles: [])
        layout.referenceSheet = sheet
        return (ImageRequest(prompt: prompt, negativePrompt: "text other than the labels, busy background", size: size, references: [],
                             layout: layout), section, entryID)
    }

    static func make(_ id: String, databasePath: String, provider: any ImageProvider) async throws(RunFailure) -> String {
        let database: CharacterDatabase
        let source: SourceText
        do {
            source = try FileIO.readSource(path: databasePath)
            database = try CharacterDatabase.parse(source.bytes, path: databasePath)
        } catch {
            throw .input(error)
        }
        let (request, section, entryID) = try request(for: id, in: database)
        let image: GeneratedImage
        do { image = try await provider.generate(request) } catch { throw .write("\(provider.name) could not draw the sheet: \(error.message)") }
        let folder = (database.path as NSString).deletingLastPathComponent
        let taken = Set(DatabaseEditor.referenceIDs(database))
        let ext = ImagePhase.fileExtension(forMimeType: image.mimeType)
        var referenceID = "\(entryID)-sheet"
        var number = 1
        while taken.contains(referenceID)
            || FileManager.default.fileExists(atPath: (folder as NSString).appendingPathComponent("refs/\(referenceID).\(ext)"))
        {
            number += 1
            referenceID = "\(entryID)-sheet-\(number)"
        }
        let relative = "refs/\(referenceID).\(ext)"
        var editor = DatabaseEditor(bytes: source.bytes, file: databasePath)
        do {
            try editor.addReference(to: entryID, in: section, referenceID: referenceID, path: relative)
            _ = try CharacterDatabase.parse(editor.bytes, path: databasePath)
        } catch {
            throw .write("the database edit did not parse back (\(error.message)); \(databasePath) was left as it was")
        }
        do throws(FileIO.WriteError) {
            try FileIO.writeAtomically(image.bytes, to: (folder as NSString).appendingPathComponent(relative))
            try FileIO.writeAtomically(editor.bytes, to: databasePath)
        } catch {
            throw .write(error.description)
        }
        return "\(referenceID): drew \(relative) for \(entryID) (status draft); `panelproc refs --approve \(referenceID)` sends it with every panel of \(entryID)"
    }

    /// Marks the reference `referenceID` approved.
    public static func approve(_ referenceID: String, databasePath: String) throws(RunFailure) -> String {
        let source: SourceText
        let database: CharacterDatabase
        do {
            source = try FileIO.readSource(path: databasePath)
            database = try CharacterDatabase.parse(source.bytes, path: databasePath)
        } catch {
            throw .input(error)
        }
        var editor = DatabaseEditor(bytes: source.bytes, file: databasePath)
        let owner: String?
        do {
            owner = try editor.setStatus(of: referenceID, to: "approved")
            _ = try CharacterDatabase.parse(editor.bytes, path: databasePath)
        } catch {
            throw .write("the database edit did not parse back (\(error.message)); \(databasePath) was left as it was")
        }
        guard let owner else {
            let ids = DatabaseEditor.referenceIDs(database)
            throw .input(InputError(file: databasePath, message: "no reference image with id \"\(referenceID)\"",
                                    hint: ids.isEmpty ? "`panelproc refs ID` draws one" : "nearest: \(PanelTarget.nearest(referenceID, in: ids).joined(separator: ", "))"))
        }
        if editor.bytes != source.bytes {
            do throws(FileIO.WriteError) { try FileIO.writeAtomically(editor.bytes, to: databasePath) } catch { throw .write(error.description) }
        }
        return "\(referenceID): approved; it goes with every panel of \(owner) to providers that accept reference images"
    }
}
