import Foundation

/// Where a model call stands. Only `succeeded` calls are ever served from the cache.
public enum CallStatus: String, Sendable, Codable, CaseIterable {
    case started, succeeded, failed, cached
}

/// One model call as recorded. Secrets never go in: the caller passes redacted requests.
///
/// Dates are stored to the millisecond, so a record read back equals the one written when its
/// dates are whole milliseconds.
public struct CallRecord: Sendable, Equatable {
    public var runID: Int64
    public var chapterSlug: String
    public var panelID: String
    public var stage: String
    public var promptName: String
    public var promptVersion: Int
    /// "offline", "openai", …
    public var provider: String
    public var model: String
    /// SHA-256 hex of the canonical request: the cache key.
    public var requestHash: String
    /// The rendered request (JSON text).
    public var request: String
    /// The raw response text.
    public var response: String?
    public var providerRequestID: String?
    public var status: CallStatus
    public var attempt: Int
    public var latencyMS: Double?
    public var tokensIn: Int?
    public var tokensOut: Int?
    public var costUSD: Double?
    public var error: String?
    public var startedAt: Date
    public var finishedAt: Date?
    /// `max_tokens` sent (the stage's answer bound or the setting); nil for engines without one.
    public var maxTokens: Int?
    /// The provider's `finish_reason` (`stop`, `length`) of the answer used.
    public var finishReason: String?
    /// For a failed call: `ProviderError.Kind` (`timed_out`, `context_overflow`, `invalidAnswer`, …).
    public var failureKind: String?

    public init(
        runID: Int64, chapterSlug: String, panelID: String, stage: String, promptName: String,
        promptVersion: Int, provider: String, model: String, requestHash: String, request: String,
        response: String? = nil, providerRequestID: String? = nil, status: CallStatus = .started,
        attempt: Int = 1, latencyMS: Double? = nil, tokensIn: Int? = nil, tokensOut: Int? = nil,
        costUSD: Double? = nil, error: String? = nil, startedAt: Date = Date(), finishedAt: Date? = nil,
        maxTokens: Int? = nil, finishReason: String? = nil, failureKind: String? = nil
    ) {
        self.maxTokens = maxTokens
        self.finishReason = finishReason
        self.failureKind = failureKind
        self.runID = runID
        self.chapterSlug = chapterSlug
        self.panelID = panelID
        self.stage = stage
        self.promptName = promptName
        self.promptVersion = promptVersion
        self.provider = provider
        self.model = model
        self.requestHash = requestHash
        self.request = request
        self.response = response
        self.providerRequestID = providerRequestID
        self.status = status
        self.attempt = attempt
        self.latencyMS = latencyMS
        self.tokensIn = tokensIn
        self.tokensOut = tokensOut
        self.costUSD = costUSD
        self.error = error
        self.startedAt = startedAt
        self.finishedAt = finishedAt
    }
}

/// A call read back from the trace, with its id.
public struct TracedCall: Sendable, Equatable {
    public var id: Int64
    public var record: CallRecord
    /// For a `cached` call: the id of the call whose response it reused.
    public var cachedFrom: Int64?

    public init(id: Int64, record: CallRecord, cachedFrom: Int64? = nil) {
        self.id = id
        self.record = record
        self.cachedFrom = cachedFrom
    }
}

/// What the cache hands back instead of calling the provider.
public struct CachedResponse: Sendable, Equatable {
    /// The id of the successful call that produced the response.
    public var callID: Int64
    public var response: String
    public var model: String
    public var providerRequestID: String?
    public var tokensIn: Int?
    public var tokensOut: Int?
    public var costUSD: Double?

    public init(callID: Int64, response: String, model: String, providerRequestID: String? = nil,
                tokensIn: Int? = nil, tokensOut: Int? = nil, costUSD: Double? = nil)
    {
        self.callID = callID
        self.response = response
        self.model = model
        self.providerRequestID = providerRequestID
        self.tokensIn = tokensIn
        self.tokensOut = tokensOut
        self.costUSD = costUSD
    }
}

/// How a run ended, as the runner summarised it.
public struct RunOutcome: Sendable, Equatable {
    /// "finished", "failed" or "stopped" (for example by the cost limit).
    public var status: String
    public var passed: Int
    public var failed: Int
    public var forced: Int
    public var skipped: Int
    public var callsMade: Int
    public var callsCached: Int
    public var costUSD: Double

    public init(status: String, passed: Int = 0, failed: Int = 0, forced: Int = 0, skipped: Int = 0,
                callsMade: Int = 0, callsCached: Int = 0, costUSD: Double = 0)
    {
        self.status = status
        self.passed = passed
        self.failed = failed
        self.forced = forced
        self.skipped = skipped
        self.callsMade = callsMade
        self.callsCached = callsCached
        self.costUSD = costUSD
    }
}

/// One run as `panelproc trace` lists it: its outcome's counts read as its own (`run.passed`).
@dynamicMemberLookup
public struct RunSummary: Sendable, Equatable {
    public var id: Int64
    public var command: String
    public var inputs: [String]
    public var startedAt: Date
    public var finishedAt: Date?
    /// Its status is "running" for a run that never finished (still going, or killed), and its
    /// calls and cost are then counted from the recorded calls.
    public var outcome: RunOutcome

    public subscript<Value>(dynamicMember keyPath: KeyPath<RunOutcome, Value>) -> Value { outcome[keyPath: keyPath] }
}

/// The latest result of one panel: what resume and `panelproc trace --failed` read.
public struct PanelState: Sendable, Equatable {
    public var chapterSlug: String
    public var panelID: String
    /// Hash of the panel's input; a different hash means the panel must be redone.
    public var contentHash: String
    /// "passed", "failed", "forced" or "skipped".
    public var status: String
    /// Why the panel failed (the checklist's blocker reasons).
    public var reasons: [String]
    public var resultsJSON: String
    public var runID: Int64
    public var updatedAt: Date
    /// The stored whole-panel result this state came from (`panel_results.chain_key`).
    public var chainKey: String?

    public init(chapterSlug: String, panelID: String, contentHash: String, status: String,
                reasons: [String] = [], resultsJSON: String, runID: Int64, updatedAt: Date = Date())
    {
        self.chapterSlug = chapterSlug
        self.panelID = panelID
        self.contentHash = contentHash
        self.status = status
        self.reasons = reasons
        self.resultsJSON = resultsJSON
        self.runID = runID
        self.updatedAt = updatedAt
    }
}

/// The trace database could not be opened, read or written (exit status 3).
public struct TraceError: Error, CustomStringConvertible, Sendable {
    public var path: String
    /// What was being done, e.g. "record 64 calls".
    public var action: String
    public var reason: String

    public init(path: String, action: String, reason: String) {
        self.path = path
        self.action = action
        self.reason = reason
    }

    public var description: String { "\(path): error: cannot \(action): \(reason)" }
}

/// A panel's text-phase outcome as stored for reuse: an unchanged panel under unchanged settings
/// is served from here without running a stage.
struct StoredPanel: Sendable, Equatable {
    var chainKey: String
    var chapterSlug: String
    var panelID: String
    /// The `PanelOutcome`, JSON.
    var outcome: String
    var costUSD: Double
    var runID: Int64
}

/// What `panelproc trace prune` removed.
public struct PruneReport: Sendable, Equatable {
    public var runsRemoved: Int
    public var callsRemoved: Int
    public var panelResultsRemoved: Int
    public var bytesBefore: Int64
    public var bytesAfter: Int64
}

/// One chapter's numbers on one day, for velocity and projections (`panelproc status`).
public struct ChapterSnapshot: Sendable, Equatable {
    public var chapterSlug: String
    public var day: CalendarDay
    public var pages: Int
    public var panels: Int
    public var words: Int
    public var passed: Int
    public var costUSD: Double
}

/// A panel's latest recorded state, without its results: what `status` compares hashes with.
public struct PanelStateSummary: Sendable, Equatable {
    public var contentHash: String
    public var status: String
}
