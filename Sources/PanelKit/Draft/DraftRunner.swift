import Foundation

/// `panelproc draft`: runs the step DAG (`DraftStep.all`) for one chapter, resuming from its
/// state folder, then writes the chapter Markdown and the proposed characters. Every model call
/// goes through `ModelCaller` (template, request hash as cache key, trace, schema validation).
public struct DraftRunner: Sendable {
    public var settings: RunSettings
    /// The chapter to write (`-o ch.md`); its state lives in `ch.draft/` beside it.
    public var chapterPath: String
    /// `--overwrite`: replace a chapter changed since the draft wrote it (otherwise an input error).
    public var overwrite = false

    public init(settings: RunSettings, chapterPath: String, overwrite: Bool = false) {
        self.settings = settings
        self.chapterPath = FileIO.absolute(chapterPath)
        self.overwrite = overwrite
    }

    /// One step as it stands.
    public struct StepStatus: Sendable, Equatable {
        public var step: DraftStep
        public var state: DraftStepState
        /// For a step with options: the chosen option and how many there are.
        public var choice: Int?
        public var optionCount: Int?
        /// `--dry-run`: whether the next run would call the model (false: done, or answered from the cache).
        public var callNeeded: Bool
        public var cached: Bool
        /// `--dry-run`: the calls the step makes (one per page for `pages`; nil when its inputs are not known yet) and how many the cache answers.
        public var calls: Int?
        public var cachedCalls = 0
        /// A line naming each option (lore: its name and setting; narrative: its logline), for choosing.
        public var optionLabels: [String] = []
    }

    /// One line per option of a saved multi-option step.
    static func optionLabels(_ record: DraftStepRecord?) -> [String] {
        (record?.options ?? []).map { option in
            let text = option["logline"]?.string
                ?? [option["name"]?.string, option["setting"]?.string.map { "at " + $0 }].compactMap { $0 }.joined(separator: ", ")
            let line = DraftChapterWriter.oneLine(text)
            return line.count > 110 ? String(line.prefix(109)) + "…" : line
        }
    }

    /// What a finished run wrote.
    public struct Result: Sendable {
        public var steps: [StepStatus]
        public var stepsRun: [String]
        public var chapterPath: String
        public var proposedPath: String?
        public var proposedAdded: [String]
        public var reused: [String]
        public var notes: [String]
        public var callsMade: Int
        public var callsCached: Int
        /// Warnings the chapter parser gives on the written chapter (none expected).
        public var warnings: [String]
        public var panels: Int
        public var pages: Int
    }

    var state: DraftStateFolder { DraftStateFolder.forChapter(chapterPath) }
    public var stateFolder: String { state.path }
    var chapterFolder: String { (chapterPath as NSString).deletingLastPathComponent }
    var maxBubbles: Int { settings.maxBubblesOverride ?? settings.maxBubbles ?? 3 }
    var tracePath: String { settings.trace ?? (chapterFolder as NSString).appendingPathComponent(".panelproc/trace.sqlite") }

    /// The request to run: the one given, else the one saved.
    public func request(_ given: DraftRequest?) throws(RunFailure) -> DraftRequest {
        if let given { return given }
        do {
            if let saved = try state.readRequest() { return saved }
        } catch {
            throw .input(error)
        }
        throw .input(InputError(file: chapterPath, message: "has no draft yet (no \(state.requestPath))",
                                hint: "start one: panelproc draft \"a premise\" --title T --pages N -o \((chapterPath as NSString).lastPathComponent)"))
    }

    // MARK: The evaluation shared by the run, the dry run and --choose

    struct Context {
        var request: DraftRequest
        var library: PromptLibrary
        var database: CharacterDatabase?
        var records: [String: DraftStepRecord]
        var inputs: DraftInputs
        var castNotes: [String] = []
    }

    func context(_ request: DraftRequest) throws(RunFailure) -> Context {
        let library: PromptLibrary
        do {
            library = try PromptLibrary.load(folder: settings.promptsDirectory)
            for step in DraftStep.all { _ = try library.template(step.promptName) }
        } catch let error as InputError {
            throw .input(error)
        } catch {
            throw .input(InputError(file: settings.promptsDirectory ?? "Prompts", message: "\(error)"))
        }
        let located = CharacterDatabaseLocator.locate(chapterFolder: chapterFolder, frontMatterPath: nil, configuredPath: settings.characters)
        var database: CharacterDatabase?
        if let path = located.path {
            do { database = try CharacterDatabase.load(path: path) } catch { throw .input(error) }
        }
        var records: [String: DraftStepRecord] = [:]
        do {
            for step in DraftStep.all { records[step.id] = try state.readRecord(step.id) }
        } catch {
            throw .input(error)
        }
        let inputs = DraftInputs(request: request, thresholds: settings.pacing, maxBubbles: maxBubbles,
                                 known: database?.characters ?? [], outputs: [:], cast: [])
        return Context(request: request, library: library, database: database, records: records, inputs: inputs)
    }

    /// SHA-256 of the template's name and version and the step's variables.
    static func inputsHash(_ template: PromptTemplate, _ variables: JSONValue) -> String {
        SHA256.hex(template.name + "\n" + String(template.version) + "\n" + variables.compact())
    }

    /// Accepts a finished record into the context, so later steps read its output.
    func accept(_ record: DraftStepRecord, into context: inout Context) {
        context.records[record.step] = record
        context.inputs.outputs[record.step] = record.output
        if record.step == "cast" {
            let (cast, notes) = DraftCast.resolve(record.answer, database: context.database)
            context.inputs.cast = cast
            context.castNotes = notes
        }
    }

    /// The state of one step, with every earlier step already evaluated into `context`.
    /// Returns the step's state, and once its dependencies are done, the variables of each call it
    /// makes and the hash of its inputs.
    func evaluate(_ step: DraftStep, _ context: Context, done: Set<String>) throws(RunFailure) -> (DraftStepState, [JSONValue]?, String?) {
        let dependenciesDone = step.dependencies.allSatisfy(done.contains)
        var calls: [JSONValue]?
        var hash: String?
        if dependenciesDone {
            let template: PromptTemplate
            do { template = try context.library.template(step.promptName) } catch { throw .input(InputError(file: step.promptName, message: "\(error)")) }
            calls = context.inputs.calls(for: step)
            hash = Self.inputsHash(template, context.inputs.stateInputs(for: step))
        }
        guard let record = context.records[step.id] else { return (.toDo, calls, hash) }
        guard let hash, record.inputsHash == hash else { return (.stale, calls, hash) }
        return (.done, calls, hash)
    }

    // MARK: Commands

    /// `--dry-run`: every step's state and the calls a run would make (nothing is called or written).
    public func plan(_ given: DraftRequest?, environment: [String: String]) async throws(RunFailure) -> [StepStatus] {
        let request = try self.request(given)
        var context = try self.context(request)
        let caller = try await makeCaller(context.library, environment: environment, readOnly: true)
        var done: Set<String> = []
        var statuses: [StepStatus] = []
        for step in DraftStep.all {
            let (state, variables, _) = try evaluate(step, context, done: done)
            let record = context.records[step.id]
            var status = StepStatus(step: step, state: state, choice: record?.choice, optionCount: step.hasOptions ? record?.options.count : nil,
                                    callNeeded: state != .done, cached: false, calls: state == .done ? 0 : (step.id == "pages" ? request.pages : 1),
                                    optionLabels: Self.optionLabels(record))
            if state == .done, let record {
                done.insert(step.id)
                accept(record, into: &context)
            } else if let calls = variables {
                status.calls = calls.count
                if let caller {
                    for (index, variables) in calls.enumerated() {
                        if let call = try? caller.prepare(prompt: step.promptName, variables: variables, stage: step.stageID,
                                                          panelID: panelID(step, call: index, of: calls.count)),
                           await caller.cachedAnswer(call) != nil {
                            status.cachedCalls += 1
                        }
                    }
                }
                status.cached = status.cachedCalls == calls.count
                status.callNeeded = !status.cached
            }
            statuses.append(status)
        }
        return statuses
    }

    /// `--choose STEP N`: picks option N of a multi-option step; returns the steps that become
    /// stale (exactly those that read it, directly or not, and were done).
    public func choose(step id: String, option: Int) throws(RunFailure) -> (stale: [String], before: [StepStatus]) {
        guard let step = DraftStep.named(id), step.hasOptions else {
            let choosable = DraftStep.all.filter(\.hasOptions).map(\.id).joined(separator: ", ")
            throw .input(InputError(file: chapterPath, message: "`\(id)` is not a step with options; choose one of \(choosable)"))
        }
        let request = try self.request(nil)
        let before = try statuses(request)
        guard var record = try? state.readRecord(step.id), before.first(where: { $0.step == step })?.state == .done else {
            throw .input(InputError(file: state.stepPath(step.id), message: "step `\(id)` is not done yet, so it has no options to choose from",
                                    hint: "run the draft first: panelproc draft -o \((chapterPath as NSString).lastPathComponent)"))
        }
        guard (1...record.options.count).contains(option) else {
            throw .input(InputError(file: state.stepPath(step.id), message: "step `\(id)` has options 1 to \(record.options.count), not \(option)"))
        }
        record.choice = option
        do { try state.write(record) } catch { throw .write(error.description) }
        let after = try statuses(request)
        let stale = zip(before, after).filter { $0.0.state == .done && $0.1.state != .done }.map(\.1.step.id)
        return (stale, after)
    }

    /// Every step's state, without a provider.
    func statuses(_ request: DraftRequest) throws(RunFailure) -> [StepStatus] {
        var context = try self.context(request)
        var done: Set<String> = []
        var statuses: [StepStatus] = []
        for step in DraftStep.all {
            let (state, _, _) = try evaluate(step, context, done: done)
            let record = context.records[step.id]
            if state == .done, let record {
                done.insert(step.id)
                accept(record, into: &context)
            }
            statuses.append(StepStatus(step: step, state: state, choice: record?.choice,
                                       optionCount: step.hasOptions ? record?.options.count : nil, callNeeded: state != .done, cached: false,
                                       calls: state == .done ? 0 : (step.id == "pages" ? request.pages : 1), optionLabels: Self.optionLabels(record)))
        }
        return statuses
    }

    /// Runs every step that is not done, saving each as it finishes, then writes the chapter
    /// and the proposed characters. `progress` gets one line per step, for people.
    public func run(_ given: DraftRequest?, environment: [String: String],
                    progress: @Sendable (String) -> Void = { _ in }) async throws(RunFailure) -> Result {
        let request = try self.request(given)
        var context = try self.context(request)
        do {
            try state.write(request)
        } catch {
            throw .write(error.description)
        }
        guard let (caller, store, runID) = try await makeTracedCaller(context.library, environment: environment, readOnly: false) else {
            throw .write("cannot open the trace at \(tracePath)")
        }
        var done: Set<String> = []
        var ran: [String] = []
        var failure: StageFailure?
        for step in DraftStep.all {
            let (stepState, variables, hash) = try evaluate(step, context, done: done)
            if stepState == .done, let record = context.records[step.id] {
                progress("\(step.id): done")
                done.insert(step.id)
                accept(record, into: &context)
                continue
            }
            guard let calls = variables, let hash else { break }
            progress("\(step.id): \(stepState == .stale ? "stale, redoing" : "running") (\(step.promptName)\(calls.count > 1 ? ", \(calls.count) calls" : ""))")
            var answers: [ModelAnswer] = []
            for (index, variables) in calls.enumerated() {
                do {
                    answers.append(try await caller.answer(prompt: step.promptName, variables: variables, stage: step.stageID,
                                                           panelID: panelID(step, call: index, of: calls.count)))
                } catch {
                    failure = error
                    break
                }
            }
            if failure != nil { break }
            // One call's answer, or the pages' answers in order under `pages`.
            let answer = step.id == "pages"
                ? ModelAnswer(value: .object([("pages", .array(answers.map(\.value)))]),
                              traceID: answers.compactMap(\.traceID).joined(separator: ","), cached: answers.allSatisfy(\.cached))
                : answers[0]
            let template = (try? context.library.template(step.promptName))
            var choice: Int?
            if step.hasOptions {
                let count = answer.value["options"]?.array?.count ?? 0
                let previous = context.records[step.id]?.choice ?? 1
                choice = (1...max(count, 1)).contains(previous) ? previous : 1
            }
            let record = DraftStepRecord(step: step.id, promptName: step.promptName, promptVersion: template?.version ?? 0,
                                         inputsHash: hash, provider: caller.provider.name, model: caller.provider.model,
                                         traceID: answer.traceID ?? "", answer: answer.value, choice: choice)
            do { try state.write(record) } catch { throw .write(error.description) }
            ran.append(step.id)
            done.insert(step.id)
            accept(record, into: &context)
        }
        let counters = caller.counters
        await finishTrace(caller, store: store, runID: runID, failure: failure)
        if let failure {
            throw .write("step `\(DraftStep.all.first { $0.stageID == failure.stage }?.id ?? failure.stage.rawValue)` failed: \(failure.message). "
                         + "The steps before it are saved in \(state.path); run the same command again to continue.")
        }
        var result = try writeChapter(context)
        result.stepsRun = ran
        result.callsMade = await counters.callsMade
        result.callsCached = await counters.callsCached
        result.steps = try statuses(request)
        return result
    }

    /// The trace's panel id for a step's call: `<chapter-slug>/draft-<step>` (`…/draft-pages-p02` per page).
    func panelID(_ step: DraftStep, call: Int = 0, of count: Int = 1) -> String {
        let stem = ((chapterPath as NSString).lastPathComponent as NSString).deletingPathExtension
        let slug = ChapterSlug.slugify(stem)
        let page = step.id == "pages" ? String(format: "-p%02d", call + 1) : ""
        return (slug.isEmpty ? "draft" : slug) + "/draft-" + step.id + page
    }

    // MARK: Provider and trace

    func makeCaller(_ library: PromptLibrary, environment: [String: String], readOnly: Bool) async throws(RunFailure) -> ModelCaller? {
        try await makeTracedCaller(library, environment: environment, readOnly: readOnly)?.caller
    }

    func makeTracedCaller(_ library: PromptLibrary, environment: [String: String], readOnly: Bool) async throws(RunFailure)
        -> (caller: ModelCaller, store: TraceStore?, runID: Int64)?
    {
        let provider: any TextProvider
        do { provider = try TextProviders.make(settings, environment: environment) } catch { throw .input(error) }
        var trace: TraceStore?
        var runID: Int64 = 0
        if !readOnly || FileManager.default.fileExists(atPath: tracePath) {
            do {
                trace = try TraceStore(path: tracePath)
                if !readOnly { runID = try await trace!.beginRun(command: settings.command, inputs: [chapterPath]) }
            } catch {
                if readOnly { trace = nil } else { throw .write("\(error)") }
            }
        }
        var caller = ModelCaller(provider: provider, library: library, trace: trace, runID: runID, useCache: settings.useCache,
                                 concurrency: 1, counters: RunCounters())
        caller.prices = settings.prices
        caller.limits = settings.callLimits
        caller.rateLimiter = RateLimiter(rpm: settings.rpm)
        return (caller, trace, runID)
    }

    private func finishTrace(_ caller: ModelCaller, store: TraceStore?, runID: Int64, failure: StageFailure?) async {
        guard let store else { return }
        try? await store.finishRun(runID, outcome: RunOutcome(
            status: failure == nil ? "finished" : "failed", callsMade: await caller.counters.callsMade,
            callsCached: await caller.counters.callsCached))
    }

    // MARK: Writing

    func writeChapter(_ context: Context) throws(RunFailure) -> Result {
        var notes = context.castNotes
        let writer = DraftChapterWriter(request: context.request, cast: context.inputs.cast, maxBubbles: maxBubbles,
                                        panelsPerPage: settings.pacing.panelsPerPage.ideal)
        let output = writer.write(pages: context.inputs.outputs["pages"] ?? .null)
        notes += output.notes
        let bytes = Array(output.markdown.utf8)
        let existing = FileManager.default.contents(atPath: chapterPath).map { [UInt8]($0) }
        if let existing, existing != bytes, !overwrite, SHA256.hex(existing) != state.writtenDigest() {
            throw .input(InputError(file: chapterPath, message: "was changed since panelproc draft wrote it (or was never written by it); the draft would replace it",
                                    hint: "move your edits elsewhere, or pass --overwrite to replace the file"))
        }
        do {
            if existing != bytes { try FileIO.writeAtomically(bytes, to: chapterPath) }
            try state.recordWritten(SHA256.hex(bytes))
        } catch {
            throw .write(error.description)
        }
        // The chapter as panelproc will read it: its warnings, panel ids and who appears where.
        let chapter: Chapter
        do {
            chapter = try settings.parser.parse(SourceText(bytes: bytes), file: chapterPath, fileName: (chapterPath as NSString).lastPathComponent)
        } catch {
            throw .write("the written chapter does not parse: \(error)")
        }
        var seen: [String: [String]] = [:]
        var cast = context.inputs.cast
        for name in output.extraSpeakers where !cast.contains(where: { $0.name == name }) {
            cast.append(DraftCharacter(name: name, roles: [], appearance: "", personality: "", voice: ""))
        }
        let keyToName = Dictionary(cast.map { (NameFolding.fold($0.name), $0.name) }, uniquingKeysWith: { first, _ in first })
        for panel in chapter.panels {
            let names = panel.dialogue.map(\.speaker) + panel.requiredRoles
            for name in names {
                guard let canonical = keyToName[NameFolding.fold(name)] else { continue }
                if seen[canonical]?.last != panel.id { seen[canonical, default: []].append(panel.id) }
            }
        }
        let entries = DraftProposals.entries(for: cast, database: context.database, panels: seen)
        var proposedPath: String?
        var added: [String] = []
        if !entries.isEmpty {
            let folder = context.database.map { ($0.path as NSString).deletingLastPathComponent }
                ?? (chapterFolder as NSString).appendingPathComponent("characters")
            let path = (folder as NSString).appendingPathComponent(ProposedCharacters.fileName)
            do { added = try DraftProposals.merge(entries, into: path) } catch { throw .write(error.description) }
            proposedPath = path
        }
        let reused = cast.filter { $0.existingID != nil }.map(\.name)
        return Result(steps: [], stepsRun: [], chapterPath: chapterPath, proposedPath: proposedPath, proposedAdded: added, reused: reused,
                      notes: notes, callsMade: 0, callsCached: 0, warnings: chapter.diagnostics.map(\.description),
                      panels: chapter.panels.count, pages: chapter.pages.count)
    }
}
