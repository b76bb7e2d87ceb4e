import Foundation

/// Counts of what a run did, for the summary and the trace.
actor RunCounters {
    private(set) var callsMade = 0
    private(set) var callsCached = 0
    /// `--dry-run`: answers served from the cache, by panel.
    private(set) var cachedByPanel: [String: Int] = [:]
    /// What each panel's current results cost when they were made (a cached answer counts at its
    /// original price), so the export says the same on every rerun.
    private(set) var costByPanel: [String: Double] = [:]

    func attribute(_ cost: Double, to panelID: String) { costByPanel[panelID, default: 0] += cost }

    init() {}

    func cachedAnswer(for panelID: String) { cachedByPanel[panelID, default: 0] += 1 }

    /// `--dry-run`: calls the built-in engine answered in memory, by panel (the run will make them).
    private(set) var plannedByPanel: [String: Int] = [:]

    func plannedCall(for panelID: String) { plannedByPanel[panelID, default: 0] += 1 }

    func made() { callsMade += 1 }

    func cached() { callsCached += 1 }
}

/// Where calls are recorded and answers cached: the SQLite trace, or nothing (tests).
protocol CallTrace: Sendable {
    func cachedResponse(requestHash: String) async throws -> CachedResponse?
    func callStarted(_ record: CallRecord) async throws -> Int64
    func callFinished(_ callID: Int64, _ record: CallRecord) async throws
    func flush() async throws
}

extension TraceStore: CallTrace {}

/// The runner's `StageModel`: renders the template, serves a repeated request from the trace,
/// otherwise waits for a free slot (concurrency, requests per minute) and asks the provider; every
/// answer is validated against the template's schema and every call is traced.
struct ModelCaller: StageModel {
    var provider: any TextProvider
    var library: PromptLibrary
    var trace: (any CallTrace)?
    var runID: Int64
    var useCache: Bool
    var semaphore: AsyncSemaphore
    var rateLimiter: RateLimiter
    var counters: RunCounters
    /// Prices for calls whose provider reports tokens but no cost.
    var prices = Prices()
    /// `--max-cost-usd`: a call that would pass the cap is not made.
    var ledger: CostLedger?
    /// `max_tokens` and `call_timeout` per stage.
    var limits = CallLimits()

    init(provider: any TextProvider, library: PromptLibrary, trace: (any CallTrace)? = nil, runID: Int64 = 0,
                useCache: Bool = true, concurrency: Int = 8, rpm: Int? = nil, counters: RunCounters = RunCounters())
    {
        self.provider = provider
        self.library = library
        self.trace = trace
        self.runID = runID
        self.useCache = useCache
        self.semaphore = AsyncSemaphore(max(concurrency, 1))
        self.rateLimiter = RateLimiter(rpm: rpm)
        self.counters = counters
    }

    /// The request as recorded and hashed (compact JSON): everything that decides the answer,
    /// nothing secret. Built by hand because it is made for every call.
    func canonicalRequest(_ template: PromptTemplate, system: String, user: String, maxTokens: Int? = nil) -> String {
        var out = "{\"provider\":"
        JSONValue.writeString(provider.name, to: &out)
        out += ",\"model\":"
        JSONValue.writeString(provider.model, to: &out)
        let parameters = provider.cacheParameters
        if !parameters.isEmpty {
            out += ",\"parameters\":"
            JSONValue.writeString(parameters, to: &out)
        }
        if let maxTokens { out += ",\"max_tokens\":\(maxTokens)" }
        out += ",\"prompt\":"
        JSONValue.writeString(template.name, to: &out)
        out += ",\"prompt_version\":\(template.version),\"system\":"
        JSONValue.writeString(system, to: &out)
        out += ",\"user\":"
        JSONValue.writeString(user, to: &out)
        out += ",\"schema\":" + template.schemaText + "}"
        return out
    }

    /// One call, rendered and hashed: everything needed to look it up, make it and trace it.
    struct PreparedCall {
        var template: PromptTemplate
        var system: String
        var user: String
        var hash: String
        var record: CallRecord
        /// `max_tokens` sent, when the provider sends one.
        var maxTokens: Int?
        var traceID: String { String(hash.prefix(16)) }
    }

    func prepare(prompt: String, variables: JSONValue, stage: StageID, panelID: String) throws(StageFailure) -> PreparedCall {
        let template: PromptTemplate
        let rendered: (system: String, user: String)
        do {
            template = try library.template(prompt).resolved(for: variables)
            rendered = try template.render(variables)
        } catch {
            throw StageFailure(stage: stage, message: "\(error)", kind: .template)
        }
        let maxTokens = provider.honoursTokenBound ? limits.maxTokens(stage: stage.rawValue, answerBound: template.answerTokens) : nil
        let request = canonicalRequest(template, system: rendered.system, user: rendered.user, maxTokens: maxTokens)
        // The variables join the key: an engine may read more than the prompt shows (the offline
        // engine reads theme keywords and aliases), and an answer must never outlive its inputs.
        let hash = SHA256.hex(request + "\n" + variables.compact())
        let record = CallRecord(
            runID: runID, chapterSlug: String(panelID.prefix { $0 != "/" }), panelID: panelID, stage: stage.rawValue,
            promptName: template.name, promptVersion: template.version, provider: provider.name, model: provider.model,
            requestHash: hash, request: request, startedAt: Date(), maxTokens: maxTokens)
        return PreparedCall(template: template, system: rendered.system, user: rendered.user, hash: hash, record: record, maxTokens: maxTokens)
    }

    /// The answer the trace already holds for this call, if it still satisfies the schema.
    func cachedAnswer(_ call: PreparedCall) async -> (value: JSONValue, response: CachedResponse)? {
        guard useCache, let trace, let cached = try? await trace.cachedResponse(requestHash: call.hash),
            let value = try? JSONValue.parse(cached.response), JSONSchemaValidator.problems(value, schema: call.template.validationSchema).isEmpty
        else { return nil }
        return (value, cached)
    }

    func answer(prompt: String, variables: JSONValue, stage: StageID, panelID: String) async throws(StageFailure) -> ModelAnswer {
        let call = try prepare(prompt: prompt, variables: variables, stage: stage, panelID: panelID)
        let template = call.template
        let rendered = (system: call.system, user: call.user)
        let hash = call.hash
        var record = call.record

        // A cache hit writes no row: the run counts it, and the results name the answering call
        // by its trace id (the request hash), so a rerun does not grow the trace.
        if let (value, cached) = await cachedAnswer(call) {
            await counters.attribute(cached.costUSD ?? 0, to: panelID)
            await counters.cached()
            return ModelAnswer(value: value, traceID: call.traceID, cached: true)
        }

        // A rough reservation: the prompt's length in tokens, and a few hundred out.
        let estimate = prices.text(provider.model, tokensIn: (rendered.system.utf8.count + rendered.user.utf8.count) / 4, tokensOut: 300)
        await semaphore.acquire()
        // Reserve only once a slot is free: at most `concurrency` calls can be in flight past the cap.
        if let ledger, !(await ledger.reserve(estimate)) {
            await semaphore.release()
            throw StageFailure(stage: stage, message: "not run: the cost cap would be passed", kind: .costCap)
        }
        await rateLimiter.acquire()
        let callID = try? await trace?.callStarted(record)
        let started = ContinuousClock.now
        // Every HTTP attempt is seen here: a 429 slows the shared limiter for every call, and
        // each attempt but the last gets its own trace row.
        let attempts = AttemptCollector()
        let limiter = rateLimiter
        let outer = RetryingHTTPClient.attemptObserver
        let observer: @Sendable (HTTPAttempt) -> Void = { attempt in
            attempts.append(attempt)
            Task { await limiter.observe(attempt) }
            outer?(attempt)
        }
        let textRequest = TextRequest(template: template, variables: variables, system: rendered.system, user: rendered.user,
                                      maxTokens: call.maxTokens)
        let budget = limits.callTimeout(stage: stage.rawValue)
        let result = await RetryingHTTPClient.capturingAttempts(observer, waiting: .freeing(semaphore, pacedBy: limiter)) { () async throws(ProviderError) in
            try await Self.within(budget, stage: stage) { [provider] () async throws(ProviderError) in try await provider.complete(textRequest) }
        }
        await semaphore.release()
        let seen = attempts.all
        if seen.count > 1 { await traceEarlierAttempts(seen.dropLast(), record) }
        record.attempt = max(seen.count, 1)
        let elapsed = ContinuousClock.now - started
        record.latencyMS = elapsed.totalSeconds * 1000
        record.finishedAt = Date()

        switch result {
        case .failure(let error):
            await ledger?.settle(reserved: estimate, actual: 0)
            record.status = .failed
            record.error = error.message
            record.failureKind = error.kind.rawValue
            await finish(callID, record)
            throw StageFailure(stage: stage, message: error.message, kind: .provider(error.kind))
        case .success(let completion):
            record.response = completion.raw
            record.attempt = max(completion.attempts, record.attempt)
            if !completion.notes.isEmpty { record.error = completion.notes.joined(separator: "; ") }
            record.providerRequestID = completion.providerRequestID
            record.finishReason = completion.finishReason
            record.tokensIn = completion.tokensIn
            record.tokensOut = completion.tokensOut
            let cost = completion.costUSD ?? prices.text(provider.model, tokensIn: completion.tokensIn, tokensOut: completion.tokensOut)
            record.costUSD = cost
            await ledger?.settle(reserved: estimate, actual: cost)
            await counters.attribute(cost, to: panelID)
            let problems = JSONSchemaValidator.problems(completion.value, schema: template.validationSchema)
            if !problems.isEmpty {
                record.status = .failed
                record.error = "answer does not match the schema: " + problems.prefix(3).joined(separator: "; ")
                record.failureKind = ProviderError.Kind.invalidAnswer.rawValue
                await finish(callID, record)
                throw StageFailure(stage: stage, message: record.error!)
            }
            record.status = .succeeded
            await finish(callID, record)
            await counters.made()
            return ModelAnswer(value: completion.value, traceID: String(hash.prefix(16)), cached: false)
        }
    }

    /// `operation`'s answer if it comes within `budget` (`call_timeout`: the whole call, retries and
    /// a repair included); otherwise the call is cancelled (its HTTP request with it) and fails
    /// `.timedOut`. The connection's own timeout is separate and longer.
    static func within<Value: Sendable>(_ budget: Duration, stage: StageID,
                                        _ operation: @escaping @Sendable () async throws(ProviderError) -> Value) async throws(ProviderError) -> Value
    {
        let first: Result<Value, ProviderError>? = await withTaskGroup(of: Result<Value, ProviderError>?.self) { group in
            group.addTask {
                do throws(ProviderError) { return .success(try await operation()) } catch { return .failure(error) }
            }
            group.addTask {
                // Cancelled once the answer is in; returning nil either way marks "the budget ran out".
                try? await Task.sleep(for: budget)
                return nil
            }
            let winner = await group.next() ?? nil
            group.cancelAll()
            return winner
        }
        guard let first else {
            throw ProviderError(.timedOut, "no answer within \(String(format: "%g", budget.totalSeconds)) s "
                                + "(call_timeout for \(stage.rawValue)); raise `call_timeout` in panelproc.yml for a slow model")
        }
        return try first.get()
    }

    /// One failed row per HTTP attempt that did not end the call (a retried 429, 5xx, drop, or
    /// an answer that needed a repair), so `trace --panel` shows every attempt. The call's own row
    /// carries `attempt` = the number of attempts made.
    private func traceEarlierAttempts(_ attempts: ArraySlice<HTTPAttempt>, _ call: CallRecord) async {
        guard let trace else { return }
        for attempt in attempts {
            var row = call
            row.attempt = attempt.number
            row.status = .failed
            row.response = nil
            row.latencyMS = attempt.latency.totalSeconds * 1000
            row.error = attempt.description
            row.finishedAt = Date()
            if let id = try? await trace.callStarted(row) { try? await trace.callFinished(id, row) }
        }
    }

    /// Completes the trace row; a remote answer is written at once, so a killed run never pays
    /// for it twice.
    private func finish(_ callID: Int64?, _ record: CallRecord) async {
        guard let trace, let callID else { return }
        try? await trace.callFinished(callID, record)
        if !provider.isLocal { try? await trace.flush() }
    }
}

/// `--dry-run`'s model: the same rendering and cache lookup as `ModelCaller`, but nothing is
/// sent and nothing recorded. A call the cache cannot answer counts as one to make; the built-in
/// engine (local, free, deterministic) still answers it in memory, so the stages after it find
/// their own cache hits exactly as the run will. A remote provider's stage after an uncached one
/// cannot be known and is reported as one to run (an upper bound).
struct PlanningCaller: StageModel {
    var caller: ModelCaller

    func answer(prompt: String, variables: JSONValue, stage: StageID, panelID: String) async throws(StageFailure) -> ModelAnswer {
        let call = try caller.prepare(prompt: prompt, variables: variables, stage: stage, panelID: panelID)
        if let (value, _) = await caller.cachedAnswer(call) {
            await caller.counters.cachedAnswer(for: panelID)
            return ModelAnswer(value: value, traceID: call.traceID, cached: true)
        }
        guard caller.provider.isLocal else {
            throw StageFailure(stage: stage, message: "not answered yet (dry run)", kind: .notCached)
        }
        await caller.counters.plannedCall(for: panelID)
        let request = TextRequest(template: call.template, variables: variables, system: call.system, user: call.user)
        do {
            return ModelAnswer(value: try await caller.provider.complete(request).value, traceID: call.traceID, cached: false)
        } catch {
            throw StageFailure(stage: stage, message: error.message, kind: .provider(error.kind))
        }
    }
}

/// The attempts one call made, as `RetryingHTTPClient` reports them (from any task).
final class AttemptCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var attempts: [HTTPAttempt] = []

    func append(_ attempt: HTTPAttempt) {
        lock.withLock {
            // A repair re-ask starts its numbering again: keep counting.
            var numbered = attempt
            numbered.number = attempts.count + 1
            attempts.append(numbered)
        }
    }

    var all: [HTTPAttempt] { lock.withLock { attempts } }
}
