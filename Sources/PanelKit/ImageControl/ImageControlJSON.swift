import Foundation

/// A panel's `image` object in `chapter.json`: written by the run (`ChapterExport`) and rewritten
/// in place by `panelproc pick` / `pin` / `unpin`, so both always agree.
enum ImageControlJSON {
    static func chapterImage(_ entry: ImageManifest.Entry) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("path", .string(entry.path)), ("provider", .string(entry.provider)), ("model", .string(entry.model)),
            ("size", .string(entry.size)), ("prompt_hash", .string(entry.promptHash)),
            ("generated_at", .string(entry.generatedAt)), ("metadata", ImageManifest.metadataJSON(entry.metadata)),
            ("cost_usd", .double(entry.costUSD)),
        ]
        if !entry.candidates.isEmpty { members.append(("candidates", .array(entry.candidates.map(JSONValue.string)))) }
        if let picked = entry.picked { members.append(("picked", .int(picked))) }
        if let pin = entry.pin {
            members.append(("pinned", .object([("original_name", .string(pin.originalName)), ("sha256", .string(pin.sha256))])))
        }
        return .object(members)
    }

    /// `chapter.json` with one panel's `image` replaced (nil: `null`); nil when the file has no
    /// such panel.
    static func replacingImage(in document: JSONValue, panelID: String, with entry: ImageManifest.Entry?) -> JSONValue? {
        guard case .object(var members) = document, let panelsIndex = members.firstIndex(where: { $0.0 == "panels" }),
            case .array(var panels) = members[panelsIndex].1,
            let index = panels.firstIndex(where: { $0["id"]?.string == panelID }), case .object(var panel) = panels[index]
        else { return nil }
        let value = entry.map(chapterImage) ?? .null
        if let imageIndex = panel.firstIndex(where: { $0.0 == "image" }) { panel[imageIndex].1 = value } else { panel.append(("image", value)) }
        panels[index] = .object(panel)
        members[panelsIndex].1 = .array(panels)
        return .object(members)
    }
}
