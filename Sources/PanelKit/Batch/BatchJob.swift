import Foundation

/// Why a batch command stopped: bad input or settings (exit 2), the provider or the trace (exit 3).
public enum BatchFailure: Error, Sendable, CustomStringConvertible {
    case input(InputError)
    case provider(String)
    case trace(String)

    public var description: String {
        switch self {
        case .input(let error): return error.description
        case .provider(let message), .trace(let message): return message
        }
    }
}

/// `panelproc batch submit|status|collect`: the run's text calls through a provider's Batch API
/// (OpenAI's, half price), recorded in the trace so that a later `panelproc` run is served from
/// the cache.
public struct BatchJob: Sendable {
    public var settings: RunSettings
    var pipeline: Pipeline
    var api: BatchAPI

    public init(settings: RunSettings, environment: [String: String]) throws(InputError) {
        self.settings = settings
        api = try BatchAPI.make(settings, environment: environment)
        pipeline = try Pipeline(settings: settings, environment: environment)
    }

    init(settings: RunSettings, pipeline: Pipeline, api: BatchAPI) {
        self.settings = settings
        self.pipeline = pipeline
        self.api = api
    }

    // MARK: Submit

    public struct SubmitReport: Sendable {
        public var batches: [BatchRecord] = []
        public var requests = 0
        public var cached = 0
        public var alreadyPending = 0
        /// Calls whose inputs are not known yet (stage mode): a later submit sends them.
        public var waiting = 0
        public var callMode = "stages"

        /// For people (stderr).
        public var text: String {
            var lines: [String] = []
            for batch in batches {
                lines.append("submitted \(batch.id): \(batch.requestCount) request\(batch.requestCount == 1 ? "" : "s") for \(batch.model) "
                             + "(chapters \(batch.chapters.joined(separator: ", ")); file \(batch.inputFileID))")
            }
            if batches.isEmpty { lines.append("nothing to submit") }
            lines.append("\(requests) new request\(requests == 1 ? "" : "s"), \(alreadyPending) already in a pending batch, \(cached) answered from the cache")
            if callMode == "fused" {
                lines.append("fused mode: the whole book goes in one round (one request per panel); "
                             + "after `panelproc batch collect`, a normal run is served from the cache")
            } else {
                lines.append("stage mode: only requests whose inputs are known can go, one stage level a round (theme and roles, then rewrite, then image prompt and bubbles, then the checklist); "
                             + (waiting > 0 ? "up to \(waiting) more call\(waiting == 1 ? "" : "s") wait for these answers: collect, then submit again"
                                : "no call waits for another"))
            }
            return lines.joined(separator: "\n") + "\n"
        }
    }

    /// Plans like `--dry-run`; every request neither cached nor pending goes into batch files
    /// (split at `maxRequests` lines or `maxBytes` bytes, one model per file), uploaded and
    /// created, each recorded in the trace with its requests.
    public func submit(_ chapters: [PreparedChapter], maxRequests: Int = 50_000,
                       maxBytes: Int = 200 * 1024 * 1024) async throws(BatchFailure) -> SubmitReport
    {
        var report = SubmitReport(callMode: settings.calls.mode.rawValue)
        guard chapters.contains(where: { !$0.chapter.panels.isEmpty }) else { return report }
        let library: PromptLibrary
        do { library = try pipeline.parsePhase.loadPrompts() } catch { throw .input(error) }
        let path = settings.tracePath(for: chapters)
        let trace: TraceStore, store: BatchStore, pending: Set<String>
        do {
            trace = try TraceStore(path: path)
            store = try BatchStore(path: path)
            pending = try store.pendingHashes()
        } catch {
            throw .trace("\(error)")
        }
        let collector = BatchCollector(pending: pending)
        let caller = ModelCaller(provider: pipeline.textProvider, library: library, trace: trace, useCache: settings.useCache,
                                 concurrency: settings.concurrency)
        let reuse = PanelReuse(settings: settings, provider: pipeline.textProvider, library: library)
        let keys = chapters.map { chapter in chapter.chapter.panels.map { reuse.key($0, in: chapter) } }
        let known: [[PanelOutcome?]]
        do { known = try await pipeline.reused(chapters, keys: keys, trace: trace).known } catch { throw .trace("\(error)") }
        let model = pipeline.routedModel(caller) { BatchPlanner(caller: $0, collector: collector) }
        let outcomes = await pipeline.textPhase(model: model, library: library).run(chapters, known: known)
        let lines = await collector.lines
        report.requests = lines.count
        report.alreadyPending = await collector.alreadyPending.count
        report.cached = await collector.cached
        let inside = settings.calls.fusedChecklist == .inside
        let toRun = outcomes.joined().compactMap { $0 }.reduce(0) { total, outcome in
            total + (settings.calls.mode == .fused ? FusedCall.callsToRun(outcome, withChecklist: inside) : outcome.callsToRun)
        }
        report.waiting = max(0, toRun - lines.count - report.alreadyPending)

        for (index, file) in BatchSplitter.split(lines, maxRequests: maxRequests, maxBytes: maxBytes).enumerated() {
            let jsonl = file.map(\.jsonl).joined(separator: "\n") + "\n"
            let slugs = Array(Set(file.map(\.record.chapterSlug))).sorted()
            do {
                let fileID = try await api.upload(Array(jsonl.utf8), filename: "panelproc-\(file[0].hash.prefix(12))-\(index + 1).jsonl")
                let info = try await api.create(inputFileID: fileID, metadata: [
                    ("panelproc_chapters", slugs.joined(separator: ",")), ("panelproc_call_mode", settings.calls.mode.rawValue),
                    ("panelproc_requests", String(file.count)),
                ])
                let batch = BatchRecord(id: info.id, baseURL: api.baseURL.absoluteString, model: file[0].model,
                                        callMode: settings.calls.mode.rawValue, inputFileID: fileID, outputFileID: info.outputFileID,
                                        errorFileID: info.errorFileID, state: info.status, chapters: slugs, requestCount: file.count,
                                        completed: info.completed, failed: info.failed, collected: false)
                do {
                    try store.record(batch, requests: file.map { line in
                        var record = line.record
                        record.batchID = info.id
                        return record
                    })
                } catch {
                    throw BatchFailure.trace("batch \(info.id) was created but could not be recorded: \(error)")
                }
                report.batches.append(batch)
            } catch let error as BatchFailure {
                throw error
            } catch let error as ProviderError {
                throw .provider(error.message)
            } catch {
                throw .provider("\(error)")
            }
        }
        return report
    }

    // MARK: Status

    /// Every batch not yet collected (every batch with `all`), as the provider now describes it.
    public func status(tracePath: String, all: Bool = false) async throws(BatchFailure) -> [BatchRecord] {
        let store = try openStore(tracePath)
        var batches: [BatchRecord]
        do { batches = try store.batches(all: all) } catch { throw .trace("\(error)") }
        for index in batches.indices where !batches[index].collected {
            let info: BatchInfo
            do { info = try await api.batch(batches[index].id) } catch { throw .provider(error.message) }
            do { try store.update(info) } catch { throw .trace("\(error)") }
            batches[index].state = info.status
            batches[index].completed = info.completed
            batches[index].failed = info.failed
            batches[index].outputFileID = info.outputFileID
            batches[index].errorFileID = info.errorFileID
        }
        return batches
    }

    public static func statusText(_ batches: [BatchRecord]) -> String {
        guard !batches.isEmpty else { return "no batches waiting (panelproc batch status --all lists collected ones)\n" }
        var lines = ["batch                                  state        done/failed/total  model              chapters"]
        for batch in batches {
            let counts = "\(batch.completed)/\(batch.failed)/\(batch.requestCount)"
            lines.append(batch.id.padding(toLength: max(38, batch.id.count), withPad: " ", startingAt: 0) + " "
                         + (batch.state + (batch.collected ? "*" : "")).padding(toLength: 12, withPad: " ", startingAt: 0) + " "
                         + counts.padding(toLength: 18, withPad: " ", startingAt: 0) + " "
                         + batch.model.padding(toLength: max(18, batch.model.count), withPad: " ", startingAt: 0) + " "
                         + batch.chapters.joined(separator: ", "))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func openStore(_ path: String) throws(BatchFailure) -> BatchStore {
        guard FileManager.default.fileExists(atPath: path) else {
            throw .input(InputError(file: path, message: "no trace here, so no batches", hint: "pass --trace, or run where `batch submit` ran"))
        }
        do {
            _ = try TraceStore(path: path)  // migrates an older trace
            return try BatchStore(path: path)
        } catch {
            throw .trace("\(error)")
        }
    }

    // MARK: Collect

    public struct CollectReport: Sendable {
        public var collected: [String] = []
        public var stillRunning: [String] = []
        public var answered = 0
        public var failed = 0
        public var expired = 0
        public var costUSD = 0.0

        public var text: String {
            var lines: [String] = []
            if !collected.isEmpty { lines.append("collected \(collected.joined(separator: ", "))") }
            if !stillRunning.isEmpty { lines.append("not finished yet: \(stillRunning.joined(separator: ", ")) (collect again later)") }
            lines.append("\(answered) answer\(answered == 1 ? "" : "s") stored in the trace"
                         + String(format: " (batch price $%.4f)", costUSD)
                         + "; \(failed) failed and \(expired) expired or cancelled (left uncached: `panelproc batch submit` sends them again)")
            return lines.joined(separator: "\n") + "\n"
        }
    }

    /// For every finished batch not yet collected: downloads its output and error files, stores
    /// each valid answer as an answered call (at the batch price), and marks each request. Safe to
    /// repeat and to kill: an answer is written before its request is marked, and one already in
    /// the trace is not written twice.
    public func collect(tracePath: String) async throws(BatchFailure) -> CollectReport {
        var report = CollectReport()
        let store = try openStore(tracePath)
        let trace: TraceStore
        let runID: Int64
        var batches: [BatchRecord]
        do {
            trace = try TraceStore(path: tracePath)
            batches = try store.batches()
            runID = try await trace.beginRun(command: settings.command, inputs: [])
        } catch {
            throw .trace("\(error)")
        }
        for batch in batches {
            do {
                let info = try await api.batch(batch.id)
                try store.update(info)
                guard BatchRecord.finishedStates.contains(info.status) else {
                    report.stillRunning.append("\(batch.id) (\(info.status))")
                    continue
                }
                var lines: [JSONValue] = []
                for fileID in [info.outputFileID, info.errorFileID].compactMap({ $0 }) {
                    let bytes = try await api.content(fileID)
                    for text in String(decoding: bytes, as: UTF8.self).split(whereSeparator: \.isNewline) where !text.isEmpty {
                        if let line = try? JSONValue.parse(String(text)) { lines.append(line) }
                    }
                }
                let requests = try store.requests(batchID: batch.id)
                let byHash = Dictionary(requests.map { ($0.requestHash, $0) }, uniquingKeysWith: { first, _ in first })
                var changes: [(hash: String, state: BatchRequestRecord.State, error: String?)] = []
                var done: Set<String> = []
                for line in lines {
                    guard let hash = line["custom_id"]?.string, let request = byHash[hash], request.state == .pending,
                        !done.contains(hash)
                    else { continue }
                    done.insert(hash)
                    switch Self.read(line, schema: request.schema) {
                    case .answer(let content, let requestID, let tokensIn, let tokensOut):
                        if try await trace.cachedResponse(requestHash: hash) == nil {
                            var record = CallRecord(
                                runID: runID, chapterSlug: request.chapterSlug, panelID: request.panelID, stage: request.stage,
                                promptName: request.promptName, promptVersion: request.promptVersion, provider: request.provider,
                                model: request.model, requestHash: hash, request: request.request, response: content,
                                providerRequestID: requestID, status: .succeeded, attempt: 1, tokensIn: tokensIn, tokensOut: tokensOut,
                                costUSD: settings.prices.batchText(request.model, tokensIn: tokensIn, tokensOut: tokensOut),
                                error: "answered through batch \(batch.id)")
                            record.finishedAt = Date()
                            let id = try await trace.callStarted(record)
                            try await trace.callFinished(id, record)
                            report.costUSD += record.costUSD ?? 0
                        }
                        changes.append((hash, .answered, nil))
                        report.answered += 1
                    case .failure(let state, let message):
                        changes.append((hash, state, message))
                        if state == .failed { report.failed += 1 } else { report.expired += 1 }
                    }
                }
                // Requests with no line: the batch expired, was cancelled or failed before them.
                for request in requests where request.state == .pending && !done.contains(request.requestHash) {
                    let state: BatchRequestRecord.State = info.status == "expired" ? .expired : info.status == "cancelled" ? .cancelled : .failed
                    changes.append((request.requestHash, state, "no result: the batch is \(info.status)"))
                    if state == .failed { report.failed += 1 } else { report.expired += 1 }
                }
                // Answers first, then the marks, then the batch: a kill in between repeats only
                // what is idempotent.
                try await trace.flush()
                try store.mark(batch.id, changes)
                try store.markCollected(batch.id)
                report.collected.append("\(batch.id) (\(info.status))")
            } catch let error as ProviderError {
                throw .provider(error.message)
            } catch {
                throw .trace("\(error)")
            }
        }
        do {
            try await trace.finishRun(runID, outcome: RunOutcome(status: "finished", passed: 0, failed: 0, forced: 0, skipped: 0,
                                                                 callsMade: report.answered, callsCached: 0, costUSD: report.costUSD))
        } catch {
            throw .trace("\(error)")
        }
        return report
    }

    enum LineResult: Equatable {
        case answer(content: String, requestID: String?, tokensIn: Int?, tokensOut: Int?)
        case failure(BatchRequestRecord.State, String)
    }

    /// One line of an output or error file: a valid answer, or why there is none.
    static func read(_ line: JSONValue, schema: String) -> LineResult {
        let response = line["response"]
        let status = response?["status_code"]?.integer
        if let error = line["error"], error != .null {
            let code = error["code"]?.string ?? ""
            let message = error["message"]?.string ?? code
            let state: BatchRequestRecord.State = code == "batch_expired" ? .expired : code == "batch_cancelled" ? .cancelled : .failed
            return .failure(state, code.isEmpty ? message : "\(code): \(message)")
        }
        guard status == 200, let body = response?["body"] else {
            let message = response?["body"]?["error"]?["message"]?.string ?? "no answer"
            return .failure(.failed, "HTTP \(status.map(String.init) ?? "?"): \(message)")
        }
        guard let choice = body["choices"]?.array?.first, let content = choice["message"]?["content"]?.string else {
            return .failure(.failed, "the answer has no choice")
        }
        if choice["finish_reason"]?.string == "length" { return .failure(.failed, "the answer was cut off at the token limit") }
        let text = OpenAICompatibleTextProvider.unfenced(content)
        guard let value = try? JSONValue.parse(text), let schemaValue = try? JSONValue.parse(schema) else {
            return .failure(.failed, "the answer is not JSON")
        }
        let problems = JSONSchemaValidator.problems(value, schema: schemaValue)
        guard problems.isEmpty else {
            return .failure(.failed, "the answer does not match the schema: " + problems.prefix(3).joined(separator: "; "))
        }
        let usage = body["usage"]
        return .answer(content: text, requestID: response?["request_id"]?.string ?? body["id"]?.string,
                       tokensIn: usage?["prompt_tokens"]?.integer, tokensOut: usage?["completion_tokens"]?.integer)
    }
}
