import Foundation

/// How long each part of a run took by the wall clock, in the order the parts ran: what
/// `--verbose` prints after the summary, so a writer can see where a long run's time went (and
/// `bench/gallery.sh` can time the gallery's step inside the run it is part of).
public struct RunTimings: Sendable, Equatable {
    public struct Part: Sendable, Equatable {
        public var name: String
        public var seconds: Double
    }

    /// The phases, in the order they ran: setup (the prompts read, the trace opened), cache (stored
    /// panels decoded), text (the stage chain), images, assemble (image lines spliced into each
    /// Markdown), continuity, outputs, then trace, which counts both of its writes (the panels
    /// stored after the text phase, and the run's record at the end). A phase the run did not do
    /// (no panels, no images, a stopped run) is missing.
    public internal(set) var phases: [Part] = []
    /// Each output from its start to its end, in the order the run writes them. Outputs written
    /// side by side overlap, so these can add up to more than the outputs phase.
    public internal(set) var outputs: [Part] = []

    public init() {}

    public func output(_ name: String) -> Double? { outputs.first { $0.name == name }?.seconds }
    public func phase(_ name: String) -> Double? { phases.first { $0.name == name }?.seconds }
}

/// Laps of the wall clock: each `lap` returns the seconds since the last one (or since it was made).
struct Stopwatch {
    private var last = ContinuousClock.now

    mutating func lap() -> Double {
        let now = ContinuousClock.now
        defer { last = now }
        return (now - last).totalSeconds
    }
}
