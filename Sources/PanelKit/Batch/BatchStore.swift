import Foundation
import GRDB

/// A batch as recorded in the trace (`batches`).
public struct BatchRecord: Sendable, Equatable {
    public var id: String
    public var baseURL: String
    public var model: String
    public var callMode: String
    public var inputFileID: String
    public var outputFileID: String?
    public var errorFileID: String?
    /// The provider's status: validating, in_progress, finalizing, completed, failed, expired,
    /// cancelling, cancelled.
    public var state: String
    public var chapters: [String]
    public var requestCount: Int
    public var completed: Int
    public var failed: Int
    public var collected: Bool

    /// States after which nothing more will come back.
    public static let finishedStates: Set<String> = ["completed", "failed", "expired", "cancelled"]
    public var isFinished: Bool { Self.finishedStates.contains(state) }
}

/// One request of a batch (`batch_requests`): what the trace needs to store its answer as a call.
struct BatchRequestRecord: Sendable, Equatable {
    enum State: String, Sendable { case pending, answered, failed, expired, cancelled }

    var batchID: String
    var requestHash: String
    var chapterSlug: String
    var panelID: String
    var stage: String
    var promptName: String
    var promptVersion: Int
    var provider: String
    var model: String
    /// The canonical request, as `calls.request`.
    var request: String
    /// What an answer is validated against (compact JSON).
    var schema: String
    var state: State
    var error: String?
}

/// The trace's batch tables, beside `TraceStore` on the same file (which migrates it).
/// Every write is its own transaction, so a killed command leaves each row as it was or as it
/// became, never half.
final class BatchStore: Sendable {
    static let schema = """
        CREATE TABLE batches (
            id TEXT PRIMARY KEY,                 -- the provider's batch id
            base_url TEXT NOT NULL,
            model TEXT NOT NULL,
            call_mode TEXT NOT NULL,             -- stages or fused
            input_file_id TEXT NOT NULL,
            output_file_id TEXT,
            error_file_id TEXT,
            state TEXT NOT NULL,                 -- the provider's status
            chapters TEXT NOT NULL,              -- JSON array of chapter slugs
            request_count INTEGER NOT NULL,
            completed INTEGER NOT NULL DEFAULT 0,
            failed INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            collected_at TEXT                    -- set once every line came back into the trace
        );
        CREATE TABLE batch_requests (
            batch_id TEXT NOT NULL,
            request_hash TEXT NOT NULL,          -- the custom_id, and the calls.request_hash it answers
            chapter_slug TEXT NOT NULL,
            panel_id TEXT NOT NULL,
            stage TEXT NOT NULL,
            prompt_name TEXT NOT NULL,
            prompt_version INTEGER NOT NULL,
            provider TEXT NOT NULL,
            model TEXT NOT NULL,
            request TEXT NOT NULL,
            schema TEXT NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('pending', 'answered', 'failed', 'expired', 'cancelled')),
            error TEXT,
            PRIMARY KEY (batch_id, request_hash)
        );
        CREATE INDEX batch_requests_hash ON batch_requests(request_hash, state);
        """

    private let pool: DatabasePool
    let path: String

    /// Opens the trace at `path`; `TraceStore` must have opened (and so migrated) it first.
    init(path: String) throws(TraceError) {
        self.path = path
        do {
            var configuration = GRDB.Configuration()
            configuration.busyMode = .timeout(10)
            pool = try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw TraceError(path: path, action: "open the trace database for batches", reason: "\(error)")
        }
    }

    private func database<T>(_ action: String, _ body: () throws -> T) throws(TraceError) -> T {
        do { return try body() } catch { throw TraceError(path: path, action: action, reason: "\(error)") }
    }

    /// Request hashes waiting in a batch that has not been collected.
    func pendingHashes() throws(TraceError) -> Set<String> {
        try database("read the pending batch requests") {
            try pool.read { db in Set(try String.fetchAll(db, sql: "SELECT request_hash FROM batch_requests WHERE state = 'pending'")) }
        }
    }

    /// Records a created batch and its requests, in one transaction.
    func record(_ batch: BatchRecord, requests: [BatchRequestRecord]) throws(TraceError) {
        let now = TraceDate.format(Date())
        try database("record batch \(batch.id)") {
            try pool.write { db in
                try db.execute(sql: """
                    INSERT OR REPLACE INTO batches (id, base_url, model, call_mode, input_file_id, output_file_id, error_file_id, state,
                        chapters, request_count, completed, failed, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [batch.id, batch.baseURL, batch.model, batch.callMode, batch.inputFileID, batch.outputFileID,
                                     batch.errorFileID, batch.state, Self.json(batch.chapters), batch.requestCount, batch.completed,
                                     batch.failed, now, now])
                let statement = try db.makeStatement(sql: """
                    INSERT OR REPLACE INTO batch_requests (batch_id, request_hash, chapter_slug, panel_id, stage, prompt_name, prompt_version,
                        provider, model, request, schema, state, error)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
                for request in requests {
                    try statement.execute(arguments: [
                        request.batchID, request.requestHash, request.chapterSlug, request.panelID, request.stage, request.promptName,
                        request.promptVersion, request.provider, request.model, request.request, request.schema,
                        request.state.rawValue, request.error,
                    ])
                }
            }
        }
    }

    /// Every batch, oldest first; only those not yet collected unless `all`.
    func batches(all: Bool = false) throws(TraceError) -> [BatchRecord] {
        try database("read the batches") {
            try pool.read { db in
                try Row.fetchAll(db, sql: "SELECT * FROM batches \(all ? "" : "WHERE collected_at IS NULL") ORDER BY created_at, id").map { row in
                    let chapters = (try? JSONValue.parse(row["chapters"] as String))?.strings ?? []
                    return BatchRecord(id: row["id"], baseURL: row["base_url"], model: row["model"], callMode: row["call_mode"],
                                       inputFileID: row["input_file_id"], outputFileID: row["output_file_id"],
                                       errorFileID: row["error_file_id"], state: row["state"], chapters: chapters,
                                       requestCount: row["request_count"], completed: row["completed"], failed: row["failed"],
                                       collected: (row["collected_at"] as String?) != nil)
                }
            }
        }
    }

    /// The provider's latest word on a batch.
    func update(_ info: BatchInfo) throws(TraceError) {
        try database("update batch \(info.id)") {
            try pool.write { db in
                try db.execute(sql: """
                    UPDATE batches SET state = ?, output_file_id = ?, error_file_id = ?, completed = ?, failed = ?, updated_at = ?
                    WHERE id = ?
                    """, arguments: [info.status, info.outputFileID, info.errorFileID, info.completed, info.failed,
                                     TraceDate.format(Date()), info.id])
            }
        }
    }

    func requests(batchID: String) throws(TraceError) -> [BatchRequestRecord] {
        try database("read the requests of batch \(batchID)") {
            try pool.read { db in
                try Row.fetchAll(db, sql: "SELECT * FROM batch_requests WHERE batch_id = ? ORDER BY rowid", arguments: [batchID]).map { row in
                    BatchRequestRecord(batchID: row["batch_id"], requestHash: row["request_hash"], chapterSlug: row["chapter_slug"],
                                       panelID: row["panel_id"], stage: row["stage"], promptName: row["prompt_name"],
                                       promptVersion: row["prompt_version"], provider: row["provider"], model: row["model"],
                                       request: row["request"], schema: row["schema"],
                                       state: BatchRequestRecord.State(rawValue: row["state"]) ?? .pending, error: row["error"])
                }
            }
        }
    }

    /// Marks requests (answered, failed, expired, cancelled), in one transaction.
    func mark(_ batchID: String, _ changes: [(hash: String, state: BatchRequestRecord.State, error: String?)]) throws(TraceError) {
        guard !changes.isEmpty else { return }
        try database("mark the requests of batch \(batchID)") {
            try pool.write { db in
                let statement = try db.makeStatement(sql: "UPDATE batch_requests SET state = ?, error = ? WHERE batch_id = ? AND request_hash = ?")
                for change in changes {
                    try statement.execute(arguments: [change.state.rawValue, change.error, batchID, change.hash])
                }
            }
        }
    }

    func markCollected(_ batchID: String) throws(TraceError) {
        try database("mark batch \(batchID) collected") {
            try pool.write { db in
                try db.execute(sql: "UPDATE batches SET collected_at = ? WHERE id = ?", arguments: [TraceDate.format(Date()), batchID])
            }
        }
    }

    private static func json(_ strings: [String]) -> String { JSONValue.array(strings.map(JSONValue.string)).compact() }
}
