/// Rule 2 (timeline): the time of day must not go backwards within a day. A day boundary ("the
/// next morning", "three days later", "tomorrow", a new chapter) resets it, and so does a jump
/// back ("earlier", a flashback). Night running on into dawn (or a bare "morning") is the next
/// day; "That night" followed by "Later that morning" is not.
struct TimelineRule: ContinuityRule {
    static let id = "timeline.time_of_day"

    func check(_ chapter: ContinuityChapter, state: inout ContinuityState) -> [ContinuityAlert] {
        var alerts: [ContinuityAlert] = []
        var last: (time: Int, phrase: String, panel: ContinuityPanel)?
        for panel in chapter.panels {
            let markers = panel.markers
            if markers.jumpBack {
                last = nil
                continue
            }
            if markers.newDay { last = nil }
            guard let time = markers.time, let phrase = markers.phrase else { continue }
            if let previous = last, time < previous.time {
                let nightIntoMorning = previous.time >= 6 && time <= 2 && !markers.sameDay
                if !nightIntoMorning {
                    let was = TimeMarkers.names[previous.time] ?? "later", now = TimeMarkers.names[time] ?? "earlier"
                    alerts.append(ContinuityAlert(
                        type: .timeline, severity: .high,
                        title: "\"\(phrase)\" comes after \"\(previous.phrase)\" (\(previous.panel.localID)) with no day boundary between",
                        description: "\(previous.panel.localID) sets the time at \(was); \(panel.localID) goes back to \(now) on the same day.",
                        source: chapter.site(previous.panel, previous.phrase), conflict: chapter.site(panel, phrase),
                        suggestedFix: "Mark the new day (\"The next morning\"), or change the time of \(panel.localID) or \(previous.panel.localID).",
                        foundBy: Self.id, facts: [was, now]))
                }
            }
            last = (time, phrase, panel)
        }
        return alerts
    }
}
