/// One request for a batch file: the cache key (`custom_id`), the body the chat provider would
/// send, and what the trace needs to store its answer.
struct BatchLine: Sendable {
    var hash: String
    var model: String
    var body: JSONValue
    var record: BatchRequestRecord

    /// `{"custom_id": …, "method": "POST", "url": "/v1/chat/completions", "body": …}`
    var jsonl: String {
        JSONValue.object([("custom_id", .string(hash)), ("method", .string("POST")), ("url", .string(BatchAPI.endpoint)),
                          ("body", body)]).compact()
    }
}

/// The requests a submit found, once each, in the order the chain asked for them.
actor BatchCollector {
    let pending: Set<String>
    private(set) var lines: [BatchLine] = []
    private var seen: Set<String> = []
    /// Calls already waiting in a batch not yet collected.
    private(set) var alreadyPending: Set<String> = []
    private(set) var cached = 0

    init(pending: Set<String>) { self.pending = pending }

    func add(_ line: BatchLine) {
        if pending.contains(line.hash) {
            alreadyPending.insert(line.hash)
        } else if seen.insert(line.hash).inserted {
            lines.append(line)
        }
    }

    func cachedAnswer() { cached += 1 }
}

/// `batch submit`'s model: the same rendering and cache lookup as a run (`ModelCaller.prepare`);
/// an answer the trace holds is used, so the chain goes on to the stages after it; any other call
/// becomes a batch line (unless a pending batch already holds it) and stays unknown, so the stages
/// that need its answer wait for a later submit.
struct BatchPlanner: StageModel {
    var caller: ModelCaller
    var collector: BatchCollector

    func answer(prompt: String, variables: JSONValue, stage: StageID, panelID: String) async throws(StageFailure) -> ModelAnswer {
        let call = try caller.prepare(prompt: prompt, variables: variables, stage: stage, panelID: panelID)
        if let (value, _) = await caller.cachedAnswer(call) {
            await collector.cachedAnswer()
            return ModelAnswer(value: value, traceID: call.traceID, cached: true)
        }
        guard let provider = caller.provider as? OpenAICompatibleTextProvider else {
            throw StageFailure(stage: stage, message: "batches need the openai provider", kind: .template)
        }
        // The body the chat provider would send, `max_tokens` included.
        let request = TextRequest(template: call.template, variables: variables, system: call.system, user: call.user,
                                  maxTokens: call.maxTokens)
        let http = OpenAICompatibleTextProvider.makeRequest(request: request, settings: provider.settings, apiKey: "", repair: nil)
        guard let body = try? JSONValue.parse(String(decoding: http.body, as: UTF8.self)) else {
            throw StageFailure(stage: stage, message: "the chat request body is not JSON", kind: .template)
        }
        let record = call.record
        await collector.add(BatchLine(
            hash: call.hash, model: provider.model, body: body,
            record: BatchRequestRecord(batchID: "", requestHash: call.hash, chapterSlug: record.chapterSlug, panelID: panelID,
                                       stage: stage.rawValue, promptName: call.template.name, promptVersion: call.template.version,
                                       provider: provider.name, model: provider.model, request: record.request,
                                       schema: call.template.validationSchema.compact(), state: .pending, error: nil)))
        throw StageFailure(stage: stage, message: "waiting for a batch answer", kind: .notCached)
    }
}

/// Batch files within the provider's limits: one model per file (the Batch API takes one model
/// per file), at most `maxRequests` lines and `maxBytes` bytes each.
enum BatchSplitter {
    static let maxRequests = 50_000
    static let maxBytes = 200 * 1024 * 1024

    static func split(_ lines: [BatchLine], maxRequests: Int = maxRequests, maxBytes: Int = maxBytes) -> [[BatchLine]] {
        var models: [String] = []
        var byModel: [String: [BatchLine]] = [:]
        for line in lines {
            if byModel[line.model] == nil { models.append(line.model) }
            byModel[line.model, default: []].append(line)
        }
        var files: [[BatchLine]] = []
        for model in models {
            var current: [BatchLine] = []
            var bytes = 0
            for line in byModel[model] ?? [] {
                let size = line.jsonl.utf8.count + 1
                if !current.isEmpty && (current.count >= maxRequests || bytes + size > maxBytes) {
                    files.append(current)
                    current = []
                    bytes = 0
                }
                current.append(line)
                bytes += size
            }
            if !current.isEmpty { files.append(current) }
        }
        return files
    }
}
