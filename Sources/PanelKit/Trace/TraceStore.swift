import Foundation
import GRDB

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The SQLite trace of runs, model calls and panel states; also the response cache.
///
/// Writes are buffered and committed together, one transaction per batch: when `batchSize`
/// records are pending, when the oldest pending record is `maxDelay` old (checked on each
/// write), on `flush()`, on `finishRun`, and before the queries for `panelproc trace`. A process
/// killed at any moment leaves the file consistent; it loses at most the records not yet flushed,
/// and a call whose start was flushed but whose end was not stays `started`, never served from
/// the cache. Several stores, in one process or several, may share a file.
public actor TraceStore {
    /// The database file.
    public nonisolated let path: String
    private let pool: DatabasePool
    private let batchSize: Int
    private let maxDelay: Duration

    private struct PendingCall: Sendable {
        var record: CallRecord
        var cachedFrom: Int64?
    }

    private struct PanelKey: Hashable {
        var chapterSlug: String
        var panelID: String
    }

    private var pendingCalls: [Int64: PendingCall] = [:]
    /// Request hash → the newest pending succeeded call, so the cache sees unflushed answers.
    private var pendingSucceeded: [String: Int64] = [:]
    private var pendingPanels: [PanelKey: PanelState] = [:]
    private var oldestPending: ContinuousClock.Instant?

    /// Call ids reserved for this store: `nextCallID..<reservedEnd`.
    private var nextCallID: Int64 = 0
    private var reservedEnd: Int64 = 0
    private static let idBlockSize: Int64 = 256

    /// Opens (creating folders and the file) and migrates under an exclusive flock on "<path>.lock". WAL.
    ///
    /// `batchSize` and `maxDelay` bound what is pending: more is faster, less loses less to a kill.
    public init(path: String, batchSize: Int = 64, maxDelay: Duration = .seconds(1)) throws(TraceError) {
        self.path = path
        self.batchSize = max(1, batchSize)
        self.maxDelay = maxDelay
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty {
            do {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            } catch {
                throw TraceError(path: folder, action: "create the trace folder", reason: error.localizedDescription)
            }
        }
        pool = try Self.openMigrated(path)
    }

    /// Opening and migrating hold an exclusive flock, because processes migrating the same file at
    /// once fail ("index … already exists"). The kernel drops the lock when a process dies, so a
    /// killed run never leaves a stale lock behind.
    private static func openMigrated(_ path: String) throws(TraceError) -> DatabasePool {
        let lockPath = path + ".lock"
        let descriptor = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw TraceError(path: lockPath, action: "open the trace lock file", reason: String(cString: strerror(errno)))
        }
        defer { close(descriptor) }  // closing releases the lock
        while flock(descriptor, LOCK_EX) != 0 {
            guard errno == EINTR else {
                throw TraceError(path: lockPath, action: "lock the trace database", reason: String(cString: strerror(errno)))
            }
        }
        do {
            var configuration = GRDB.Configuration()
            configuration.busyMode = .timeout(10)
            // The request-hash index takes random keys: with SQLite's default 2 MB page cache a
            // trace of 60,000 calls reads index pages from the file on every insert and lookup,
            // and a run grows slower than its work. 32 MB per connection keeps them in memory.
            configuration.prepareDatabase { db in
                try db.execute(sql: "PRAGMA cache_size = -32768")
            }
            let pool = try DatabasePool(path: path, configuration: configuration)
            try TraceSchema.migrator.migrate(pool)
            return pool
        } catch {
            throw TraceError(path: path, action: "open the trace database", reason: "\(error)")
        }
    }

    deinit {
        // A store dropped without `flush()` still writes what it holds; errors have nowhere to go.
        try? Self.write(pool, pendingCalls, Array(pendingPanels.values))
    }

    // MARK: Runs

    /// Records the start of a run and returns its id.
    public func beginRun(command: String, inputs: [String]) throws(TraceError) -> Int64 {
        let now = TraceDate.format(Date())
        let inputsJSON = Self.jsonArray(inputs)
        return try database("record the start of a run") {
            try pool.write { db in
                try db.execute(
                    sql: "INSERT INTO runs (command, inputs, started_at, status) VALUES (?, ?, ?, 'running')",
                    arguments: [command, inputsJSON, now])
                return db.lastInsertedRowID
            }
        }
    }

    /// Records how a run ended, committing everything still pending in the same transaction.
    public func finishRun(_ runID: Int64, outcome: RunOutcome) throws(TraceError) {
        let now = TraceDate.format(Date())
        try flush(action: "record the end of run \(runID)") { db in
            try db.execute(
                sql: """
                    UPDATE runs SET finished_at = ?, status = ?, passed = ?, failed = ?, forced = ?, skipped = ?,
                        calls_made = ?, calls_cached = ?, cost_usd = ?
                    WHERE id = ?
                    """,
                arguments: [now, outcome.status, outcome.passed, outcome.failed, outcome.forced, outcome.skipped,
                            outcome.callsMade, outcome.callsCached, outcome.costUSD, runID])
            if db.changesCount == 0 { throw NoSuchRun(id: runID) }
        }
    }

    private struct NoSuchRun: Error, CustomStringConvertible {
        var id: Int64
        var description: String { "there is no run \(id)" }
    }

    // MARK: Calls

    /// The response of the most recent successful call with this request hash, if any (cache).
    public func cachedResponse(requestHash: String) throws(TraceError) -> CachedResponse? {
        if let id = pendingSucceeded[requestHash], let record = pendingCalls[id]?.record,
            let response = record.response
        {
            return CachedResponse(
                callID: id, response: response, model: record.model, providerRequestID: record.providerRequestID,
                tokensIn: record.tokensIn, tokensOut: record.tokensOut, costUSD: record.costUSD)
        }
        return try database("look up the cache") {
            // One statement is its own read transaction: `unsafeRead` skips GRDB's BEGIN/COMMIT
            // around it, which cost more than the lookup itself (a rerun makes one per call).
            try pool.unsafeRead { db in
                let statement = try db.cachedStatement(sql: """
                    SELECT id, response, model, provider_request_id, tokens_in, tokens_out, cost_usd FROM calls
                    WHERE request_hash = ? AND status = 'succeeded' AND response IS NOT NULL
                    ORDER BY finished_at DESC, id DESC LIMIT 1
                    """)
                let row = try Row.fetchOne(statement, arguments: [requestHash])
                return row.map { row in
                    CachedResponse(
                        callID: row["id"], response: row["response"], model: row["model"],
                        providerRequestID: row["provider_request_id"], tokensIn: row["tokens_in"],
                        tokensOut: row["tokens_out"], costUSD: row["cost_usd"])
                }
            }
        }
    }

    /// Records a call that is about to be made; returns its id. Used before the provider is called.
    ///
    /// The record is stored as `started` whatever its status says.
    public func callStarted(_ record: CallRecord) throws(TraceError) -> Int64 {
        var record = record
        record.status = .started
        let id = try allocateCallID()
        try enqueue(id, PendingCall(record: record))
        return id
    }

    /// Completes a started call (status succeeded/failed, response, latency, tokens, cost, error…).
    ///
    /// `record` replaces the started one; a missing `finishedAt` becomes now.
    public func callFinished(_ callID: Int64, _ record: CallRecord) throws(TraceError) {
        guard record.status == .succeeded || record.status == .failed else {
            throw TraceError(path: path, action: "record the end of call \(callID)",
                             reason: "its status is \(record.status.rawValue); expected succeeded or failed")
        }
        var record = record
        record.finishedAt = record.finishedAt ?? Date()
        try enqueue(callID, PendingCall(record: record))
    }

    /// Records a call served from the cache (status cached, pointing at the original call id).
    public func callCached(_ record: CallRecord, from originalCallID: Int64) throws(TraceError) -> Int64 {
        var record = record
        record.status = .cached
        record.finishedAt = record.finishedAt ?? record.startedAt
        let id = try allocateCallID()
        try enqueue(id, PendingCall(record: record, cachedFrom: originalCallID))
        return id
    }

    // MARK: Panels

    /// Records the latest state of a panel, replacing any earlier one.
    public func setPanelState(_ state: PanelState) throws(TraceError) {
        pendingPanels[PanelKey(chapterSlug: state.chapterSlug, panelID: state.panelID)] = state
        try flushIfDue()
    }

    // MARK: Whole panels

    /// The stored panel results of these chapters, by chain key.
    func storedPanels(chapterSlugs: [String]) throws(TraceError) -> [String: StoredPanel] {
        try flush()
        return try database("read the stored panel results") {
            try pool.read { db in
                var found: [String: StoredPanel] = [:]
                let statement = try db.cachedStatement(
                    sql: "SELECT chain_key, panel_id, outcome, cost_usd, run_id FROM panel_results WHERE chapter_slug = ?")
                for slug in Set(chapterSlugs).sorted() {
                    for row in try Row.fetchAll(statement, arguments: [slug]) {
                        let key: String = row[0]
                        found[key] = StoredPanel(chainKey: key, chapterSlug: slug, panelID: row[1], outcome: row[2],
                                                 costUSD: row[3], runID: row[4])
                    }
                }
                return found
            }
        }
    }

    /// Stores whole-panel results, in one transaction.
    func storePanels(_ panels: [StoredPanel]) throws(TraceError) {
        guard !panels.isEmpty else { return }
        try flush(action: "store the panel results") { db in
            var insert = RowWriter(try db.cachedStatement(sql: TraceSchema.insertPanelResult))
            for panel in panels {
                try insert.add(panel.chainKey)
                try insert.add(panel.chapterSlug)
                try insert.add(panel.panelID)
                try insert.add(panel.outcome)
                try insert.add(panel.costUSD)
                try insert.add(panel.runID)
                try insert.run()
            }
        }
    }

    /// Removes the rows of all but the newest `keepRuns` runs without losing an answer the cache
    /// still needs: every call the latest panel states point at stays (their results name their
    /// calls by trace id), and every row of the kept runs stays. Then the file is compacted.
    public func prune(keepRuns: Int) throws(TraceError) -> PruneReport {
        try flush()
        let before = Self.fileSize(path)
        var report = PruneReport(runsRemoved: 0, callsRemoved: 0, panelResultsRemoved: 0, bytesBefore: before, bytesAfter: before)
        try database("prune the trace") {
            try pool.write { db in
                let cutoff = try Int64.fetchOne(
                    db, sql: "SELECT id FROM runs ORDER BY id DESC LIMIT 1 OFFSET ?", arguments: [max(keepRuns, 1) - 1]) ?? 0
                try db.execute(sql: """
                    CREATE TEMP TABLE needed_answers AS
                        SELECT DISTINCT tree.value AS trace_id
                        FROM panel_states, json_tree(panel_states.results_json) AS tree
                        WHERE tree.key = 'trace_id' AND tree.type = 'text'
                    """)
                try db.execute(sql: """
                    DELETE FROM calls WHERE run_id < ? AND NOT (
                        status = 'succeeded' AND substr(request_hash, 1, 16) IN (SELECT trace_id FROM needed_answers)
                        AND id = (SELECT max(newest.id) FROM calls AS newest
                                  WHERE newest.request_hash = calls.request_hash AND newest.status = 'succeeded'))
                    """, arguments: [cutoff])
                report.callsRemoved = db.changesCount
                try db.execute(sql: "DROP TABLE needed_answers")
                try db.execute(sql: """
                    DELETE FROM panel_results WHERE run_id < ?
                        AND chain_key NOT IN (SELECT chain_key FROM panel_states WHERE chain_key IS NOT NULL)
                    """, arguments: [cutoff])
                report.panelResultsRemoved = db.changesCount
                try db.execute(sql: "DELETE FROM runs WHERE id < ?", arguments: [cutoff])
                report.runsRemoved = db.changesCount
            }
            try pool.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
                try db.execute(sql: "VACUUM")
                try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
            }
        }
        report.bytesAfter = Self.fileSize(path)
        return report
    }

    /// The database and its WAL, in bytes.
    static func fileSize(_ path: String) -> Int64 {
        [path, path + "-wal"].reduce(0) { total, file in
            total + ((try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int64) ?? 0)
        }
    }

    // MARK: Flushing

    /// Commits every pending record in one transaction.
    public func flush() throws(TraceError) {
        try flush(action: "record the trace", also: nil)
    }

    private func flush(action: String, also extra: ((Database) throws -> Void)?) throws(TraceError) {
        if pendingCalls.isEmpty && pendingPanels.isEmpty && extra == nil { return }
        let calls = pendingCalls, panels = Array(pendingPanels.values)
        try database(action) { try Self.write(pool, calls, panels, also: extra) }
        // Only after the commit: if it failed, everything stays pending for the next attempt.
        pendingCalls.removeAll(keepingCapacity: true)
        pendingSucceeded.removeAll(keepingCapacity: true)
        pendingPanels.removeAll(keepingCapacity: true)
        oldestPending = nil
    }

    private static func write(_ pool: DatabasePool, _ calls: [Int64: PendingCall], _ panels: [PanelState],
                              also extra: ((Database) throws -> Void)? = nil) throws
    {
        try pool.write { db in
            var call = RowWriter(try db.cachedStatement(sql: TraceSchema.upsertCall))
            for id in calls.keys.sorted() {
                let pending = calls[id]!, record = pending.record
                try call.add(id)
                try call.add(record.runID)
                try call.add(record.chapterSlug)
                try call.add(record.panelID)
                try call.add(record.stage)
                try call.add(record.promptName)
                try call.add(record.promptVersion)
                try call.add(record.provider)
                try call.add(record.model)
                try call.add(record.requestHash)
                try call.add(record.request)
                try call.add(record.response)
                try call.add(record.providerRequestID)
                try call.add(record.status.rawValue)
                try call.add(record.attempt)
                try call.add(record.latencyMS)
                try call.add(record.tokensIn)
                try call.add(record.tokensOut)
                try call.add(record.costUSD)
                try call.add(record.error)
                try call.add(pending.cachedFrom)
                try call.add(TraceDate.format(record.startedAt))
                try call.add(record.finishedAt.map(TraceDate.format))
                try call.add(record.maxTokens)
                try call.add(record.finishReason)
                try call.add(record.failureKind)
                try call.run()
            }
            var panel = RowWriter(try db.cachedStatement(sql: TraceSchema.upsertPanelState))
            for state in panels {
                try panel.add(state.chapterSlug)
                try panel.add(state.panelID)
                try panel.add(state.contentHash)
                try panel.add(state.status)
                try panel.add(jsonArray(state.reasons))
                try panel.add(state.resultsJSON)
                try panel.add(state.runID)
                try panel.add(TraceDate.format(state.updatedAt))
                try panel.add(state.chainKey)
                try panel.run()
            }
            try extra?(db)
        }
    }

    private func enqueue(_ id: Int64, _ call: PendingCall) throws(TraceError) {
        pendingCalls[id] = call
        if call.record.status == .succeeded, call.record.response != nil {
            pendingSucceeded[call.record.requestHash] = id
        }
        try flushIfDue()
    }

    private func flushIfDue() throws(TraceError) {
        let now = ContinuousClock.now
        let oldest = oldestPending ?? now
        oldestPending = oldest
        if pendingCalls.count + pendingPanels.count >= batchSize || now - oldest >= maxDelay {
            try flush()
        }
    }

    /// Hands out the next reserved call id, reserving a new block when this one is used up.
    /// Ids of one store grow with time; a process that ends leaves the rest of its block unused.
    private func allocateCallID() throws(TraceError) -> Int64 {
        if nextCallID == reservedEnd {
            let size = Self.idBlockSize
            let start = try database("reserve call ids") {
                try pool.write { db -> Int64 in
                    let counter = try Int64.fetchOne(
                        db, sql: "SELECT next_id FROM id_reservations WHERE table_name = 'calls'") ?? 1
                    // Never below an existing row, whoever wrote it.
                    let highest = try Int64.fetchOne(db, sql: "SELECT max(id) FROM calls") ?? 0
                    let start = max(counter, highest + 1)
                    try db.execute(
                        sql: """
                            INSERT INTO id_reservations (table_name, next_id) VALUES ('calls', ?)
                            ON CONFLICT(table_name) DO UPDATE SET next_id = excluded.next_id
                            """,
                        arguments: [start + size])
                    return start
                }
            }
            nextCallID = start
            reservedEnd = start + size
        }
        defer { nextCallID += 1 }
        return nextCallID
    }

    // MARK: Queries for `panelproc trace`

    /// The latest runs, newest first.
    public func runs(limit: Int) throws(TraceError) -> [RunSummary] {
        try flush()
        return try database("read the runs") {
            try pool.read { db in
                // A run that never finished has no outcome: count what its calls recorded.
                let rows = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT r.*,
                            CASE WHEN r.finished_at IS NULL THEN (SELECT count(*) FROM calls c
                                WHERE c.run_id = r.id AND c.status <> 'cached') ELSE r.calls_made END AS made,
                            CASE WHEN r.finished_at IS NULL THEN (SELECT count(*) FROM calls c
                                WHERE c.run_id = r.id AND c.status = 'cached') ELSE r.calls_cached END AS served,
                            CASE WHEN r.finished_at IS NULL THEN (SELECT total(c.cost_usd) FROM calls c
                                WHERE c.run_id = r.id) ELSE r.cost_usd END AS cost
                        FROM runs r ORDER BY r.id DESC LIMIT ?
                        """,
                    arguments: [limit])
                return try rows.map { row in
                    RunSummary(
                        id: row["id"], command: row["command"], inputs: try Self.stringArray(row["inputs"]),
                        startedAt: try Self.date(row["started_at"]),
                        finishedAt: try (row["finished_at"] as String?).map(Self.date),
                        outcome: RunOutcome(
                            status: row["status"], passed: row["passed"] ?? 0, failed: row["failed"] ?? 0,
                            forced: row["forced"] ?? 0, skipped: row["skipped"] ?? 0, callsMade: row["made"] ?? 0,
                            callsCached: row["served"] ?? 0, costUSD: row["cost"] ?? 0))
                }
            }
        }
    }

    /// A panel's calls in the order they started, from one run or from all.
    public func calls(panelID: String, runID: Int64? = nil) throws(TraceError) -> [TracedCall] {
        try flush()
        return try database("read the calls of panel \(panelID)") {
            try pool.read { db in
                var sql = "SELECT * FROM calls WHERE panel_id = ?"
                var arguments: StatementArguments = [panelID]
                if let runID {
                    sql += " AND run_id = ?"
                    arguments += [runID]
                }
                // Start times are to the millisecond; ids order one store's calls within one.
                sql += " ORDER BY started_at, id"
                return try Row.fetchAll(db, sql: sql, arguments: arguments).map(Self.tracedCall)
            }
        }
    }

    /// Panels whose latest state is failed (and forced, when asked), with their reasons.
    ///
    /// With a run id, only panels whose latest state that run recorded.
    public func failedPanels(runID: Int64? = nil, includeForced: Bool = false) throws(TraceError) -> [PanelState] {
        try flush()
        return try database("read the failed panels") {
            try pool.read { db in
                var sql = "SELECT * FROM panel_states WHERE status IN ('failed'\(includeForced ? ", 'forced'" : ""))"
                var arguments: StatementArguments = []
                if let runID {
                    sql += " AND run_id = ?"
                    arguments += [runID]
                }
                sql += " ORDER BY chapter_slug, panel_id"
                return try Row.fetchAll(db, sql: sql, arguments: arguments).map(Self.panelState)
            }
        }
    }

    /// What a panel's latest state says, in a form cheap to compare: a rerun whose panel comes
    /// out the same (same stored result, verdict and reasons) need not write it again.
    static func stateSignature(chainKey: String?, status: String, reasons: [String]) -> String {
        "\(chainKey ?? "")|\(status)|\(jsonArray(reasons))"
    }

    /// The signature of every committed panel state of a chapter, by panel id.
    func stateSignatures(chapterSlug: String) throws(TraceError) -> [String: String] {
        try flush()
        return try database("read the panel states of \(chapterSlug)") {
            try pool.read { db in
                var found: [String: String] = [:]
                for row in try Row.fetchAll(db, sql: "SELECT panel_id, chain_key, status, reasons FROM panel_states WHERE chapter_slug = ?",
                                            arguments: [chapterSlug]) {
                    let reasons: String = row["reasons"]
                    found[row["panel_id"]] = "\((row["chain_key"] as String?) ?? "")|\(row["status"] as String)|\(reasons)"
                }
                return found
            }
        }
    }

    /// The latest state of one panel, pending or committed.
    public func panelState(chapterSlug: String, panelID: String) throws(TraceError) -> PanelState? {
        if let pending = pendingPanels[PanelKey(chapterSlug: chapterSlug, panelID: panelID)] { return pending }
        return try database("read the state of panel \(panelID)") {
            try pool.read { db in
                try Row.fetchOne(
                    db, sql: "SELECT * FROM panel_states WHERE chapter_slug = ? AND panel_id = ?",
                    arguments: [chapterSlug, panelID]
                ).map(Self.panelState)
            }
        }
    }

    /// How many calls a run recorded, optionally only those with one status.
    public func callCount(runID: Int64, status: CallStatus? = nil) throws(TraceError) -> Int {
        try flush()
        return try database("count the calls of run \(runID)") {
            try pool.read { db in
                if let status {
                    return try Int.fetchOne(
                        db, sql: "SELECT count(*) FROM calls WHERE run_id = ? AND status = ?",
                        arguments: [runID, status.rawValue]) ?? 0
                }
                return try Int.fetchOne(db, sql: "SELECT count(*) FROM calls WHERE run_id = ?", arguments: [runID]) ?? 0
            }
        }
    }

    // MARK: Snapshots and production status

    /// Records each chapter's numbers for its day: at most one row per chapter per day, the
    /// latest replacing the day's earlier one.
    public func recordSnapshots(_ snapshots: [ChapterSnapshot]) throws(TraceError) {
        guard !snapshots.isEmpty else { return }
        let now = TraceDate.format(Date())
        try flush(action: "record the chapters' daily snapshots") { db in
            for snapshot in snapshots {
                try db.execute(sql: TraceSchema.upsertSnapshot, arguments: [
                    snapshot.chapterSlug, snapshot.day.description, snapshot.pages, snapshot.panels, snapshot.words,
                    snapshot.passed, snapshot.costUSD, now,
                ])
            }
        }
    }

    /// The snapshots of these chapters from `since` on, oldest first, by chapter slug.
    public func snapshots(chapterSlugs: [String], since: CalendarDay) throws(TraceError) -> [String: [ChapterSnapshot]] {
        try flush()
        let wanted = Set(chapterSlugs)
        return try database("read the daily snapshots") {
            try pool.read { db in
                var result: [String: [ChapterSnapshot]] = [:]
                let rows = try Row.fetchAll(db, sql: "SELECT * FROM snapshots WHERE day >= ? ORDER BY chapter_slug, day",
                                            arguments: [since.description])
                for row in rows {
                    let slug: String = row["chapter_slug"]
                    guard wanted.contains(slug) else { continue }
                    let text: String = row["day"]
                    guard let day = CalendarDay(text) else { throw UnreadableColumn(value: text, expected: "a day like 2027-02-15") }
                    result[slug, default: []].append(ChapterSnapshot(
                        chapterSlug: slug, day: day, pages: row["pages"], panels: row["panels"], words: row["words"],
                        passed: row["passed"], costUSD: row["cost_usd"]))
                }
                return result
            }
        }
    }

    /// Every panel's latest hash and status, by panel id (without the stored results, which status does not need).
    public func panelStateSummaries() throws(TraceError) -> [String: PanelStateSummary] {
        try keyedRows("read the panel states", sql: "SELECT panel_id AS key, content_hash, status FROM panel_states") { row in
            PanelStateSummary(contentHash: row["content_hash"], status: row["status"])
        }
    }

    /// What every chapter's calls (text and images, every run) cost so far.
    public func costByChapter() throws(TraceError) -> [String: Double] {
        try keyedRows("sum the chapters' costs", sql: "SELECT chapter_slug AS key, total(cost_usd) AS cost FROM calls GROUP BY chapter_slug") { row in
            row["cost"]
        }
    }

    /// One value per row, by the row's `key` column, after committing what is pending.
    private func keyedRows<Value>(_ action: String, sql: String, _ value: @escaping (Row) -> Value) throws(TraceError) -> [String: Value] {
        try flush()
        return try database(action) {
            try pool.read { db in
                var result: [String: Value] = [:]
                for row in try Row.fetchAll(db, sql: sql) { result[row["key"]] = value(row) }
                return result
            }
        }
    }

    // MARK: Rows and errors

    /// Runs a database operation, turning its error into one that names the file and the action.
    private func database<T>(_ action: String, _ body: () throws -> T) throws(TraceError) -> T {
        do {
            return try body()
        } catch let error as TraceError {
            throw error
        } catch {
            throw TraceError(path: path, action: action, reason: "\(error)")
        }
    }

    /// A text column this store wrote that no longer reads back (someone edited the file).
    private struct UnreadableColumn: Error, CustomStringConvertible {
        var value: String
        var expected: String
        var description: String { "unreadable value \(value.debugDescription) (expected \(expected))" }
    }

    private static func tracedCall(_ row: Row) throws -> TracedCall {
        let statusText: String = row["status"]
        guard let status = CallStatus(rawValue: statusText) else {
            throw UnreadableColumn(value: statusText, expected: "a call status")
        }
        let record = CallRecord(
            runID: row["run_id"], chapterSlug: row["chapter_slug"], panelID: row["panel_id"], stage: row["stage"],
            promptName: row["prompt_name"], promptVersion: row["prompt_version"], provider: row["provider"],
            model: row["model"], requestHash: row["request_hash"], request: row["request"], response: row["response"],
            providerRequestID: row["provider_request_id"], status: status, attempt: row["attempt"],
            latencyMS: row["latency_ms"], tokensIn: row["tokens_in"], tokensOut: row["tokens_out"],
            costUSD: row["cost_usd"], error: row["error"], startedAt: try date(row["started_at"]),
            finishedAt: try (row["finished_at"] as String?).map(date), maxTokens: row["max_tokens"],
            finishReason: row["finish_reason"], failureKind: row["failure_kind"])
        return TracedCall(id: row["id"], record: record, cachedFrom: row["cached_from"])
    }

    private static func panelState(_ row: Row) throws -> PanelState {
        var state = PanelState(
            chapterSlug: row["chapter_slug"], panelID: row["panel_id"], contentHash: row["content_hash"],
            status: row["status"], reasons: try stringArray(row["reasons"]), resultsJSON: row["results_json"],
            runID: row["run_id"], updatedAt: try date(row["updated_at"]))
        state.chainKey = row["chain_key"]
        return state
    }

    private static func date(_ text: String) throws -> Date {
        guard let date = TraceDate.parse(text) else {
            throw UnreadableColumn(value: text, expected: "a date like 2025-01-31T12:00:00.000Z")
        }
        return date
    }

    private static func jsonArray(_ strings: [String]) -> String {
        // Encoding an array of strings cannot fail.
        let data = (try? JSONSerialization.data(withJSONObject: strings, options: [.withoutEscapingSlashes])) ?? Data("[]".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    private static func stringArray(_ text: String) throws -> [String] {
        guard let strings = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String] else {
            throw UnreadableColumn(value: text, expected: "a JSON array of strings")
        }
        return strings
    }
}
