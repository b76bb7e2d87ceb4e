import Foundation

/// Finds the character database for a chapter (README, the `characters` configuration key).
enum CharacterDatabaseLocator {
    /// The conventional place, relative to a chapter's folder or one of its parents.
    static let conventionalPath = "characters/character_base_list.json"

    /// First hit wins: front matter path (relative to the chapter file's folder), configured path (absolute already), then characters/character_base_list.json in the chapter's folder or any parent folder (for stdin: from the working folder up). Returns the path, or nil plus every place it looked (for the "no character database found" blocker message).
    ///
    /// An explicit path (front matter or configuration) wins even when nothing is there, so loading
    /// it reports "cannot read" instead of quietly using some other database.
    static func locate(chapterFolder: String, frontMatterPath: String?,
                              configuredPath: String?) -> (path: String?, searched: [String]) {
        let cwd = FileManager.default.currentDirectoryPath
        let folder = FileIO.absolute(chapterFolder.isEmpty ? "." : chapterFolder, from: cwd)
        if let written = frontMatterPath, !written.isEmpty {
            let path = FileIO.absolute(written, from: folder)
            return (path, [path])
        }
        if let configuredPath, !configuredPath.isEmpty {
            let path = FileIO.absolute(configuredPath, from: cwd)
            return (path, [path])
        }
        var searched: [String] = []
        var current = URL(fileURLWithPath: folder)
        while true {
            let candidate = current.appendingPathComponent(conventionalPath).path
            searched.append(candidate)
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate, isDirectory: &isFolder), !isFolder.boolValue {
                return (candidate, searched)
            }
            let parent = current.deletingLastPathComponent()
            if parent.path == current.path { return (nil, searched) }
            current = parent
        }
    }
}
