import Foundation
import PanelPrompts

/// Where the bundled templates are installed (for tools and tests that copy them).
enum PanelPromptsFolder {
    static var path: String? { PromptFiles.folder?.path }
}

/// The prompt templates by stage name: the bundled ones, or a folder of the user's own.
public struct PromptLibrary: Sendable {
    private(set) var templates: [String: PromptTemplate]

    init(templates: [PromptTemplate]) {
        self.templates = Dictionary(templates.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Loads every `*.yml` in `folder` (the bundled templates when nil).
    static func load(folder: String? = nil) throws -> PromptLibrary {
        guard let path = folder ?? PromptFiles.folder?.path else {
            throw InputError(file: "Prompts", message: "the bundled prompt templates are missing from this build",
                             hint: "rebuild panelproc, or set `prompts_dir` in panelproc.yml")
        }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: path).filter { $0.hasSuffix(".yml") }.sorted()
        } catch {
            throw InputError(file: path, message: "cannot list prompt templates: \(error.localizedDescription)")
        }
        var templates: [PromptTemplate] = []
        for name in names {
            let file = (path as NSString).appendingPathComponent(name)
            let template = try PromptTemplate.load(try FileIO.readSource(path: file), file: file)
            guard template.name + ".yml" == name else {
                throw InputError(file: file, location: SourceLocation(line: 1, column: 1),
                                 message: "template is named `\(template.name)` but its file is \(name)",
                                 hint: "name the file <name>.yml")
            }
            templates.append(template)
        }
        return PromptLibrary(templates: templates)
    }

    func template(_ name: String) throws -> PromptTemplate {
        guard let template = templates[name] else {
            throw InputError(file: "\(name).yml", message: "no prompt template named `\(name)`",
                             hint: "known: \(templates.keys.sorted().joined(separator: ", "))")
        }
        return template
    }
}
