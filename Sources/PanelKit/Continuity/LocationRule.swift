/// Rule 3 (location): two places at once. A caption or scene text opening "Meanwhile" or "At the
/// same time" cuts to a parallel scene; a character present in the scene just before the cut who
/// is also present after it, in a different setting, before time moves on, is in two places.
/// A character who left the scene before the cut could have gone there.
struct LocationRule: ContinuityRule {
    static let id = "location.two_places"

    static let cuts = ["meanwhile", "at the same time", "simultaneously", "at that very moment", "at that moment"]

    func check(_ chapter: ContinuityChapter, state: inout ContinuityState) -> [ContinuityAlert] {
        var alerts: [ContinuityAlert] = []
        // The scene being built: its setting and who is in it (and where each was seen).
        var scene: (setting: String?, present: [String: ContinuityPanel]) = (nil, [:])
        // After a cut: the scene left behind, while the parallel one lasts.
        var parallel: (setting: String?, present: [String: ContinuityPanel], cut: ContinuityPanel)?
        var reported: Set<String> = []
        for panel in chapter.panels {
            let markers = panel.markers
            let isCut = panel.sentences(Set([.caption, .scene])).contains { sentence in Self.cuts.contains(where: sentence.opens(with:)) }
            if isCut {
                // A cut within the same setting is no other place.
                parallel = panel.ownSetting == nil || panel.ownSetting != scene.setting ? (scene.setting, scene.present, panel) : nil
                scene = (panel.ownSetting ?? "\u{1}meanwhile-\(panel.index)", [:])
            } else if !markers.isEmpty {
                // Time moved on: the scenes are no longer simultaneous.
                parallel = nil
                scene = (panel.setting, [:])
            } else if let own = panel.ownSetting, own != scene.setting {
                if let cut = parallel, own == cut.setting {
                    // Back to the scene left behind.
                    scene = (own, cut.present)
                    parallel = nil
                } else {
                    if parallel != nil, panel.index > (parallel?.cut.index ?? 0) { parallel = nil }
                    scene = (own, [:])
                }
            }
            for character in panel.present {
                if let cut = parallel, let before = cut.present[character], !reported.contains(character + "|" + cut.cut.localID) {
                    reported.insert(character + "|" + cut.cut.localID)
                    let name = chapter.name(character)
                    let there = before.settingText ?? "the scene before"
                    let here = panel.settingText.flatMap { panel.ownSetting != nil || panel.index > cut.cut.index ? $0 : nil }
                        ?? "the parallel scene"
                    alerts.append(ContinuityAlert(
                        type: .location, severity: .high,
                        title: "\(name) is in two places at once: \(there) (\(before.localID)) and \(here)",
                        description: "\(cut.cut.localID) cuts to a scene at the same time, but \(name) is in \(before.localID) just before "
                            + "the cut and in \(panel.localID) after it, somewhere else.",
                        source: chapter.site(before, name.split(separator: " ").first.map(String.init)),
                        conflict: chapter.site(panel, name.split(separator: " ").first.map(String.init)),
                        suggestedFix: "Show \(name) leaving before the cut, mark time passing (\"Later\"), or take \(name) out of one scene.",
                        foundBy: Self.id, facts: [character, before.setting ?? "", panel.setting ?? ""]))
                }
                scene.present[character] = panel
            }
            // Someone who leaves is no longer in the scene the cut leaves behind.
            for character in panel.leavers { scene.present[character] = nil }
            for character in panel.returners where scene.present[character] == nil {
                scene.present[character] = panel
            }
            for character in panel.present where panel.setting != nil {
                state.lastSetting[character] = (panel.settingText ?? panel.setting ?? "", chapter.site(panel))
            }
        }
        return alerts
    }
}
