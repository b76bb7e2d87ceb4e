/// How the dry run and the summary show picks and pins.
enum ImageControlPlan {
    /// The dry run's image column: the plan state, with `pinned`, `pinned (text changed since
    /// pin)` and `cached (picked c2)` spelled out.
    static func shown(_ item: ImagePlanItem, manifest: ImageManifest) -> String {
        switch item.state {
        case .pinned: return item.reason == "pinned" ? "pinned" : "pinned (text changed since pin)"
        case .cached:
            if let picked = manifest.entry(item.panelID)?.picked { return "cached (picked c\(picked))" }
            return "cached"
        case .stale where manifest.entry(item.panelID)?.picked != nil:
            return "stale (pick cleared)"
        default: return item.state.rawValue
        }
    }
}

extension RunReport {
    /// What the summary adds about picks and pins: a pick cleared by a regeneration, a pinned
    /// panel whose text changed since the pin.
    public var imageControlNotes: [String] {
        chapters.flatMap { $0.panels.flatMap { $0.image?.notes ?? [] } }
    }
}
