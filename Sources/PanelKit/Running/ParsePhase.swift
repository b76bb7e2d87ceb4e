import Foundation

/// A parsed chapter with the character database its panels resolve against.
public struct PreparedChapter: Sendable {
    public var input: InputDocument
    public var chapter: Chapter
    public var characters: CharacterDatabase?
    /// Where panelproc looked for a database (for the "no character database found" blocker).
    public var charactersSearched: [String]
}

/// The first phase: every input read, parsed and checked, and every database loaded, before
/// anything is written. A bad input stops the run with nothing written anywhere.
public struct ParsePhase: Sendable {
    public var settings: RunSettings

    public init(settings: RunSettings) { self.settings = settings }

    /// Parses without loading anything else (`inspect`).
    public func parse(_ input: InputDocument) throws(InputError) -> Chapter {
        try settings.parser.parse(input.source, file: input.displayName, fileName: input.fileName)
    }

    /// Parses and loads the character database (only for chapters with panels: a document
    /// without panels is never affected by a missing or broken database).
    public func prepare(_ input: InputDocument, databases: inout [String: CharacterDatabase]) throws(InputError) -> PreparedChapter {
        var chapter = try parse(input)
        guard !chapter.panels.isEmpty else {
            chapter.diagnostics.append(Diagnostic(
                .warning, file: input.displayName, location: nil,
                message: "no panels found (no `Panel N` marker); the document passes through unchanged"
                    + (input.source.bytes.isEmpty ? " (an empty file: `panelproc f.md > f.md` empties f.md before reading it; use -i)" : "")))
            return PreparedChapter(input: input, chapter: chapter, characters: nil, charactersSearched: [])
        }
        let located = CharacterDatabaseLocator.locate(chapterFolder: input.folder, frontMatterPath: chapter.frontMatter?.characters,
                                                      configuredPath: settings.characters)
        guard let path = located.path else {
            if chapter.panels.contains(where: { !$0.requiredRoles.isEmpty || !$0.dialogue.isEmpty }) {
                chapter.diagnostics.append(Diagnostic(
                    .warning, file: input.displayName, location: nil,
                    message: "no character database found (looked in \(located.searched.joined(separator: ", "))), so panels that name characters will fail; "
                        + "create characters/character_base_list.json, or set `characters` in the front matter or panelproc.yml"))
            }
            return PreparedChapter(input: input, chapter: chapter, characters: nil, charactersSearched: located.searched)
        }
        if databases[path] == nil { databases[path] = try CharacterDatabase.load(path: path) }
        var withDigest = chapter
        withDigest.settings.charactersDigest = databases[path].map { $0.panelDigest ?? $0.digest }
        return PreparedChapter(input: input, chapter: Self.hashedWithDatabase(withDigest), characters: databases[path],
                               charactersSearched: located.searched)
    }

    /// Parses the document as it will be written back (with its image lines), keeping what the
    /// first parse learned; nil when the panels no longer line up.
    func reparse(_ bytes: [UInt8], like prepared: PreparedChapter) -> Chapter? {
        guard var again = try? settings.parser.parse(SourceText(bytes: bytes), file: prepared.input.displayName,
                                                     fileName: prepared.input.fileName),
            again.panels.map(\.id) == prepared.chapter.panels.map(\.id)
        else { return nil }
        again.settings.charactersDigest = prepared.chapter.settings.charactersDigest
        return again.settings.charactersDigest == nil ? again : Self.hashedWithDatabase(again)
    }

    /// Panel hashes cover the character database too: editing a character changes its panels.
    static func hashedWithDatabase(_ chapter: Chapter) -> Chapter {
        var chapter = chapter
        for index in chapter.panels.indices {
            chapter.panels[index].contentHash = SHA256.hex(chapter.panels[index].contentHash + "\n" + (chapter.settings.charactersDigest ?? ""))
        }
        return chapter
    }

    /// The prompt templates every registered model stage needs, checked before anything is written.
    func loadPrompts() throws(InputError) -> PromptLibrary {
        let library: PromptLibrary
        do {
            library = try PromptLibrary.load(folder: settings.promptsDirectory)
        } catch let error as InputError {
            throw error
        } catch {
            throw InputError(file: settings.promptsDirectory ?? "Prompts", message: "\(error)")
        }
        let missing = (StageRegistry.promptNames + (settings.calls.mode == .fused ? [FusedCall.promptName] : []))
            .filter { library.templates[$0] == nil }
        if !missing.isEmpty {
            throw InputError(file: settings.promptsDirectory ?? "Prompts",
                             message: "no prompt template for \(missing.joined(separator: ", "))",
                             hint: "copy the missing <stage>.yml files from panelproc's Prompts/ folder")
        }
        return library
    }

    /// Two inputs whose outputs would land in the same folder (same chapter slug), or an input
    /// whose folder's manifest says it belongs to another Markdown file (a draft copy with the same
    /// title): the later one would silently replace the other's chapter.json, manifest and images.
    public func outputCollision(_ chapters: [PreparedChapter]) -> InputError? {
        var seen: [String: PreparedChapter] = [:]
        let cwd = FileManager.default.currentDirectoryPath
        for prepared in chapters where !prepared.chapter.panels.isEmpty {
            let directory = settings.chapterDirectory(for: prepared.input, slug: prepared.chapter.slug)
            if let earlier = seen[directory] {
                return collision(prepared, other: earlier.input.displayName, directory: directory)
            }
            seen[directory] = prepared
            guard !settings.takeOver, let path = prepared.input.path else { continue }
            let manifest = (directory as NSString).appendingPathComponent("manifest.json")
            let absolute = (FileIO.absolute(path, from: cwd) as NSString).standardizingPath
            if let owner = (try? ImageManifest.load(path: manifest, chapterSlug: prepared.chapter.slug))?.owner(directory: directory),
                owner != absolute
            {
                return collision(prepared, other: owner, directory: directory, recorded: true)
            }
        }
        return nil
    }

    private func collision(_ prepared: PreparedChapter, other: String, directory: String, recorded: Bool = false) -> InputError {
        let why = recorded ? "already belongs to \(other) (its manifest.json says so)" : "would also be written by \(other)"
        return InputError(
            file: prepared.input.displayName,
            message: "this chapter's slug is \(prepared.chapter.slug), and \(directory) \(why)",
            hint: "give this file its own slug (front matter `title`, or `chapter`), or keep the outputs apart with --output-dir DIR"
                + (recorded ? "; if \(other) was only renamed to this file, run again with --take-over" : ""))
    }
}
