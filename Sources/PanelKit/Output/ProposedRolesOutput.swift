import Foundation

/// The `propose` policy: unknown roles go to `proposed.json` beside the database for review.
struct ProposedRolesOutput: RunOutput {
    var name: String { "proposed roles" }
    init() {}

    func write(_ run: RunReport, settings: RunSettings) throws(RunFailure) -> [WrittenFile] {
        guard settings.unknownRoles == .propose else { return [] }
        var byDatabase: [String: [(role: String, panelID: String)]] = [:]
        for chapter in run.chapters {
            guard let database = chapter.characters else { continue }
            for panel in chapter.panels {
                for resolution in panel.text?.results.roleValidation?.unresolved ?? [] {
                    if case .unknown = resolution.outcome { byDatabase[database.path, default: []].append((resolution.role, panel.sheet.id)) }
                }
            }
        }
        var written: [WrittenFile] = []
        for (databasePath, roles) in byDatabase.sorted(by: { $0.key < $1.key }) {
            let path = ((databasePath as NSString).deletingLastPathComponent as NSString).appendingPathComponent("proposed.json")
            do {
                let added = try ProposedCharacters.merge(unknownRoles: roles, into: path)
                written.append(WrittenFile(chapter: nil, path: path, added: added))
            } catch {
                throw .write(error.description)
            }
        }
        return written
    }
}
