/// What a chapter-level model pass (pacing, continuity) needs around its calls: the provider and
/// its template checked, a trace run of its own, and a `ModelCaller` set up from the settings
/// exactly as a run's is (prices, `max_tokens`, `call_timeout`, the rate limit), so a setting
/// never applies to the stages and silently not to a pass.
struct ChapterPassSession {
    let caller: ModelCaller
    private let trace: TraceStore
    private let runID: Int64
    private let counters: RunCounters

    static func open(_ settings: RunSettings, promptName: String, tracePath: String, inputs: [String],
                     environment: [String: String]) async throws(RunFailure) -> ChapterPassSession
    {
        let provider: any TextProvider
        let library: PromptLibrary
        do {
            provider = try TextProviders.make(settings, environment: environment)
            library = try PromptLibrary.load(folder: settings.promptsDirectory)
            _ = try library.template(promptName)
        } catch let error as InputError {
            throw .input(error)
        } catch {
            throw .input(InputError(file: settings.promptsDirectory ?? "Prompts", message: "\(error)"))
        }
        let trace: TraceStore
        let runID: Int64
        do {
            trace = try TraceStore(path: tracePath)
            runID = try await trace.beginRun(command: settings.command, inputs: inputs)
        } catch {
            throw .write("\(error)")
        }
        let counters = RunCounters()
        var caller = ModelCaller(provider: provider, library: library, trace: trace, runID: runID, useCache: settings.useCache,
                                 concurrency: settings.concurrency, counters: counters)
        caller.prices = settings.prices
        caller.limits = settings.callLimits
        caller.rateLimiter = RateLimiter(rpm: settings.rpm)
        return ChapterPassSession(caller: caller, trace: trace, runID: runID, counters: counters)
    }

    /// Closes the pass's trace run: `finished`, or `stopped` when a call failed.
    func finish(failed: Bool) async throws(RunFailure) {
        do {
            try await trace.finishRun(runID, outcome: RunOutcome(
                status: failed ? "stopped" : "finished", passed: 0, failed: 0, forced: 0, skipped: 0,
                callsMade: await counters.callsMade, callsCached: await counters.callsCached, costUSD: 0))
        } catch {
            throw .write("\(error)")
        }
    }
}
