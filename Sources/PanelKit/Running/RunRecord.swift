import Foundation

/// One panel after every phase: what the writer wrote, what the stage chain made of it and the
/// gate's verdict, what the image phase did, and what it all cost. Outputs read this and nothing
/// else about a panel.
public struct PanelRecord: Sendable {
    /// The panel as parsed from the input.
    public var sheet: ComicPanelImageSheet
    /// The text phase: every stage's result and state, and the gate's verdict (nil when the chain
    /// did not run for this panel).
    var text: PanelOutcome?
    /// The image phase (nil when no image provider is configured or the run stopped first).
    var image: ImageOutcome?
    /// What the current text results cost when they were made (a cached answer counts at its
    /// original price, so a rerun reports the same).
    public var textCostUSD = 0.0
    /// Where the text outcome is stored for reuse (`PanelReuse`).
    var chainKey: String?

    init(sheet: ComicPanelImageSheet, text: PanelOutcome? = nil, image: ImageOutcome? = nil) {
        self.sheet = sheet
        self.text = text
        self.image = image
    }

    /// The gate's verdict, or `failed` when the provider refused the panel's image: the verdict
    /// itself is never rewritten, this is how outputs show the two together.
    public var status: PanelStatus {
        if case .refused = image?.result { return .failed }
        return text?.status ?? .skipped
    }

    /// The gate's reasons, then the image's.
    public var reasons: [String] {
        var reasons = text?.reasons ?? []
        if case .refused(let error) = image?.result { reasons.append("image: \(error.message)") }
        return reasons
    }

    /// The stage results as outputs show them: the renderer's warnings (text overflowing a
    /// balloon) join the checklist as non-blocking items.
    var results: StageResults {
        var results = text?.results ?? StageResults()
        let warnings = image?.warnings ?? []
        if !warnings.isEmpty, var checklist = results.checklist {
            checklist.items += warnings.map { ChecklistItem(id: "image_text_fits", passed: false, blocker: false, note: $0, source: .rule) }
            results.checklist = checklist
        }
        if let note = image?.plan.locationWarning {
            results.checklist?.items.append(ChecklistItem(id: "location_known", passed: false, blocker: false, note: note, source: .rule))
        }
        return results
    }

    /// The outcome as outputs show it: the verdict with the image's part added.
    var shownOutcome: PanelOutcome? {
        guard var outcome = text else { return nil }
        outcome.results = results
        outcome.status = status
        outcome.reasons = reasons
        return outcome
    }

    /// Points each unresolved role at its name in the file that was read this run (a reused
    /// outcome may come from a run where the panel stood on other lines).
    mutating func locateRoles() {
        guard var validation = text?.results.roleValidation else { return }
        for index in validation.resolutions.indices where validation.resolutions[index].characterID == nil {
            validation.resolutions[index].location = sheet.location(ofName: validation.resolutions[index].role)
        }
        text?.results.roleValidation = validation
    }

    /// Why a failed panel failed, compiler-style: each unresolved role at its name, any other
    /// reason at the panel's marker line, all in the file that was read.
    public func failureDiagnostics(file: String) -> [Diagnostic] {
        guard status == .failed else { return [] }
        let marker = SourceLocation(line: sheet.lines.lowerBound, column: 1)
        // Without a database every role is unresolved: the gate's reason says where it looked.
        let validation = text?.results.roleValidation
        let unresolved = validation?.databaseMissing == nil ? validation?.unresolved ?? [] : []
        var diagnostics = unresolved.map { resolution -> Diagnostic in
            let problem: String
            switch resolution.outcome {
            case .unknown(let suggestions):
                problem = "unknown role \"\(resolution.role)\""
                    + (suggestions.isEmpty ? "" : " (did you mean \(suggestions.joined(separator: ", "))?)")
            case .ambiguous(let candidates):
                problem = "role \"\(resolution.role)\" is ambiguous (\(candidates.joined(separator: ", ")))"
            case .resolved:
                problem = ""
            }
            return Diagnostic(.error, file: file, location: resolution.location ?? marker, message: "\(sheet.localID): \(problem)")
        }
        let others = reasons.filter { reason in
            !(reason.hasPrefix("roles_resolved:") && !unresolved.isEmpty) && !reason.hasPrefix("unresolved roles:")
        }
        if !others.isEmpty || diagnostics.isEmpty {
            diagnostics.append(Diagnostic(.error, file: file, location: marker,
                                          message: "\(sheet.localID): \(others.isEmpty ? "failed" : others.joined(separator: "; "))"))
        }
        return diagnostics
    }

    /// The panel failed, the image phase ran, and the document still shows an image line for it.
    var showsStaleImage: Bool {
        image != nil && currentImage == nil && status == .failed && sheet.imageSite.existing != nil
    }

    /// The image the panel has now (made this run or still current), if any.
    var currentImage: ImageManifest.Entry? { image?.entry }

    /// Text and image together.
    public var costUSD: Double { textCostUSD + (currentImage?.costUSD ?? 0) }

    public var traceIDs: [String] { text?.results.traceIDs ?? [] }
}

/// One chapter after every phase.
public struct ChapterRecord: Sendable {
    public var input: InputDocument
    /// The chapter as read (its panels' hashes cover the character database).
    public var chapter: Chapter
    public var characters: CharacterDatabase?
    /// `generated/<slug>`.
    public var directory: String
    public var panels: [PanelRecord]
    /// The manifest as read before the run, and as the image phase left it.
    var manifestBefore: ImageManifest?
    var manifest: ImageManifest?
    /// The document with its image lines spliced in (the input bytes when nothing changed).
    public var markdown: [UInt8]
    /// The document as written back, parsed again: what `chapter.json` describes, so its line
    /// numbers stay true and a rerun writes the same bytes.
    var written: Chapter
    /// Files the outputs wrote, for the summary.
    public var files: [String] = []

    public var markdownChanged: Bool { markdown != input.source.bytes }
    public var diagnostics: [Diagnostic] { chapter.diagnostics }

    /// The panels' outcomes as outputs show them, by panel index.
    public var outcomes: [PanelOutcome?] { panels.map(\.shownOutcome) }
}

/// Why a run stopped early: a failure no panel could avoid (exit 3).
public enum RunStop: Sendable, CustomStringConvertible {
    /// A text stage failed in a way every call would (a rejected key, a broken template).
    case text(StageFailure)
    /// The image provider rejected the key.
    case image(ProviderError)

    public var message: String {
        switch self {
        case .text(let failure): return failure.message
        case .image(let error): return error.message
        }
    }

    public var description: String { message }
}

/// What a whole run did, for the summary and the exit status.
public struct RunReport: Sendable {
    public var chapters: [ChapterRecord] = []
    public var callsMade = 0
    public var callsCached = 0
    public var runID: Int64?
    public var tracePath: String?
    /// Set when a failure no panel could avoid stopped the run (exit 3).
    public var stopped: RunStop?
    /// Roles written to `proposed.json` under the `propose` policy.
    public var proposedRoles: [String] = []
    public var imagesMade = 0
    public var imagesCurrent = 0
    public var imagesFailed = 0
    public var imagesSkippedForCost = 0
    public var costUSD = 0.0
    /// True when the cost cap stopped new work.
    public var costCapReached = false
    /// The continuity checker's report for each chapter, by chapter index (`ContinuityPass`).
    public var continuity: [ContinuityReport] = []
    /// How long each phase and each output took (`--verbose` prints them).
    public var timings = RunTimings()

    public init() {}

    /// Panels by status, over every chapter.
    public var counts: [PanelStatus: Int] {
        var counts: [PanelStatus: Int] = [:]
        for chapter in chapters { for panel in chapter.panels { counts[panel.status, default: 0] += 1 } }
        return counts
    }
}

/// A failure that stops a run after it started: an output or the trace could not be written (3),
/// or configuration such as a prompt template is broken (2).
public enum RunFailure: Error, Sendable, CustomStringConvertible {
    case input(InputError)
    case write(String)

    public var description: String {
        switch self {
        case .input(let error): return error.description
        case .write(let message): return message
        }
    }
}
