/// The `pacing:` section of `panelproc.yml`: what a page, a panel and a balloon should hold, and
/// where a warning starts. Ratios are shares from 0 to 1.
public struct PacingThresholds: Sendable, Equatable {
    /// An ideal band and the warning limits around it (nil: no warning that way).
    public struct Band: Sendable, Equatable {
        public var ideal: ClosedRange<Double>
        public var warnAbove: Double?
        public var warnBelow: Double?

        public init(ideal: ClosedRange<Double>, warnAbove: Double? = nil, warnBelow: Double? = nil) {
            self.ideal = ideal
            self.warnAbove = warnAbove
            self.warnBelow = warnBelow
        }

        /// Past a warning limit.
        func warns(_ value: Double) -> Bool {
            if let warnAbove, value > warnAbove { return true }
            if let warnBelow, value < warnBelow { return true }
            return false
        }

        /// Outside the ideal band (a soft miss when it does not warn).
        func misses(_ value: Double) -> Bool { !ideal.contains(value) }
    }

    public var wordsPerPage = Band(ideal: 30...100, warnAbove: 150)
    /// Below `warnBelow` a page is sparse, unless one of its panels is marked Splash.
    public var panelsPerPage = Band(ideal: 4...6, warnAbove: 8, warnBelow: 3)
    public var dialoguePanels = Band(ideal: 0.4...0.6, warnAbove: 0.8)
    public var silentPanels = Band(ideal: 0.1...0.2, warnBelow: 0.05)
    public var wordsPerPanel = Band(ideal: 10...25, warnAbove: 40)
    /// A balloon with more words than this is a warning.
    public var balloonWords = 25
    /// `pacing.model: true`: ask the `pacing` template for qualitative insights after the numbers.
    public var model = false

    public init() {}

    static let bandKeys = ["words_per_page", "panels_per_page", "dialogue_panels", "silent_panels", "words_per_panel"]

    /// Reads `pacing:` (every key optional):
    ///
    ///     pacing:
    ///       words_per_page: {ideal: [30, 100], warn_above: 150}
    ///       panels_per_page: {ideal: [4, 6], warn_above: 8, warn_below: 3}
    ///       dialogue_panels: {ideal: [0.4, 0.6], warn_above: 0.8}
    ///       silent_panels: {ideal: [0.1, 0.2], warn_below: 0.05}
    ///       words_per_panel: {ideal: [10, 25], warn_above: 40}
    ///       balloon_words: 25
    ///       model: false
    static func read(_ field: YAMLFields.Field) throws(InputError) -> PacingThresholds {
        var thresholds = PacingThresholds()
        for part in try field.mapping() {
            switch part.key {
            case "words_per_page": thresholds.wordsPerPage = try band(part, thresholds.wordsPerPage, limit: 10_000)
            case "panels_per_page": thresholds.panelsPerPage = try band(part, thresholds.panelsPerPage, limit: 1_000)
            case "dialogue_panels": thresholds.dialoguePanels = try band(part, thresholds.dialoguePanels, limit: 1)
            case "silent_panels": thresholds.silentPanels = try band(part, thresholds.silentPanels, limit: 1)
            case "words_per_panel": thresholds.wordsPerPanel = try band(part, thresholds.wordsPerPanel, limit: 10_000)
            case "balloon_words": thresholds.balloonWords = try part.integer(in: 1...1_000) ?? thresholds.balloonWords
            case "model": thresholds.model = try part.boolean() ?? thresholds.model
            default:
                throw InputError(file: field.file, location: part.keyLocation,
                                 message: "`pacing` has \((bandKeys + ["balloon_words", "model"]).joined(separator: ", ")), not `\(part.key)`")
            }
        }
        return thresholds
    }

    /// `{ideal: [low, high], warn_above: n, warn_below: n}`; what is not given keeps its default.
    private static func band(_ field: YAMLFields.Field, _ defaults: Band, limit: Double) throws(InputError) -> Band {
        var band = defaults
        for part in try field.mapping() {
            switch part.key {
            case "ideal":
                let items = try part.list() ?? []
                let numbers = items.compactMap(Double.init)
                guard items.count == 2, numbers.count == 2, numbers[0] <= numbers[1], numbers[0] >= 0, numbers[1] <= limit else {
                    throw InputError(file: field.file, location: part.location,
                                     message: "`\(field.key).ideal` should be two numbers [low, high] from 0 to \(format(limit)), found `\(items.joined(separator: ", "))`",
                                     hint: "for example `ideal: [\(format(defaults.ideal.lowerBound)), \(format(defaults.ideal.upperBound))]`")
                }
                band.ideal = numbers[0]...numbers[1]
            case "warn_above": band.warnAbove = try part.number(in: 0...limit)
            case "warn_below": band.warnBelow = try part.number(in: 0...limit)
            default:
                throw InputError(file: field.file, location: part.keyLocation,
                                 message: "`\(field.key)` has `ideal`, `warn_above` and `warn_below`, not `\(part.key)`")
            }
        }
        return band
    }

    /// `30`, `0.4`: whole numbers without a fraction.
    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}
