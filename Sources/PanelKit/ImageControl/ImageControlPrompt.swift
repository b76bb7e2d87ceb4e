/// The lines the image phase adds to every prompt: the chapter's "always include" line (front
/// matter `visual_thesis` and `palette`) at the head, and the resolved location's canonical look.
/// Both are part of the prompt hash, so editing them makes exactly the affected images stale.
enum ImageControlPrompt {
    /// `Always include: <visual thesis>; palette: a, b, c.`, or nil when the chapter sets neither.
    static func alwaysInclude(visualThesis: String?, palette: [String]) -> String? {
        var parts: [String] = []
        if let thesis = visualThesis?.trimmingWhitespace(), !thesis.isEmpty { parts.append(thesis) }
        let colours = palette.map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
        if !colours.isEmpty { parts.append("palette: " + colours.joined(separator: ", ")) }
        guard !parts.isEmpty else { return nil }
        return "Always include: " + parts.joined(separator: "; ") + "."
    }

    /// `Location (the bank hall): a cramped stone hall, brass counter, green-shaded lamps.`
    static func locationLine(_ location: LocationProfile) -> String {
        let look = location.description.trimmingWhitespace()
        return "Location (\(location.name))" + (look.isEmpty ? "." : ": " + look)
    }
}
