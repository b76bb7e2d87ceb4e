/// One deterministic continuity check. Rules run in `ContinuityChecker.rules` order over each
/// chapter in turn; `state` carries what earlier panels and chapters established.
protocol ContinuityRule: Sendable {
    /// `visual.appearance`: the alert's `found_by`.
    static var id: String { get }
    func check(_ chapter: ContinuityChapter, state: inout ContinuityState) -> [ContinuityAlert]
}

/// What the chapters read so far established: each character's item colours and last setting.
struct ContinuityState: Sendable {
    struct Item: Sendable, Equatable {
        var colour: String
        /// `yellow raincoat`, as the database or the panel wrote it.
        var phrase: String
        var site: ContinuityAlert.Site
        var fromDatabase: Bool
        var chapter: String
    }

    /// Character id → item (singular, folded) → what it looks like now.
    var items: [String: [String: Item]] = [:]
    /// Characters whose database appearance has been read into `items`.
    var seeded: Set<String> = []
    /// Character id → the last setting they were seen in, and where.
    var lastSetting: [String: (setting: String, site: ContinuityAlert.Site)] = [:]
    /// (character, item, colour) already reported, so one mistake is one alert.
    var reported: Set<String> = []
}
