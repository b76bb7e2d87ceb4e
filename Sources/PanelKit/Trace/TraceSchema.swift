import Foundation
import GRDB

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The trace database's schema. Plain SQL with snake_case names so that the file reads well in
/// the `sqlite3` shell; dates are UTC ISO-8601 text to the millisecond, which also sorts.
enum TraceSchema {
    static let migrator: DatabaseMigrator = {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            // No foreign keys: the trace is a log, and one row pointing at something unexpected
            // must not make a whole batch of records fail to commit.
            try db.execute(sql: """
                CREATE TABLE runs (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    command TEXT NOT NULL,
                    inputs TEXT NOT NULL,                -- JSON array of input paths
                    started_at TEXT NOT NULL,
                    finished_at TEXT,
                    status TEXT NOT NULL,                -- running, finished, failed, stopped
                    passed INTEGER, failed INTEGER, forced INTEGER, skipped INTEGER,
                    calls_made INTEGER, calls_cached INTEGER, cost_usd REAL
                );
                CREATE TABLE calls (
                    id INTEGER PRIMARY KEY,              -- allocated from id_reservations
                    run_id INTEGER NOT NULL,
                    chapter_slug TEXT NOT NULL,
                    panel_id TEXT NOT NULL,
                    stage TEXT NOT NULL,
                    prompt_name TEXT NOT NULL,
                    prompt_version INTEGER NOT NULL,
                    provider TEXT NOT NULL,
                    model TEXT NOT NULL,
                    request_hash TEXT NOT NULL,
                    request TEXT NOT NULL,
                    response TEXT,
                    provider_request_id TEXT,
                    status TEXT NOT NULL CHECK (status IN ('started', 'succeeded', 'failed', 'cached')),
                    attempt INTEGER NOT NULL,
                    latency_ms REAL,
                    tokens_in INTEGER,
                    tokens_out INTEGER,
                    cost_usd REAL,
                    error TEXT,
                    cached_from INTEGER,                 -- for status cached: the call answered
                    started_at TEXT NOT NULL,
                    finished_at TEXT
                );
                CREATE INDEX calls_request_hash ON calls(request_hash);
                CREATE INDEX calls_panel_run ON calls(panel_id, run_id);
                CREATE INDEX calls_run_status ON calls(run_id, status);
                CREATE TABLE panel_states (
                    chapter_slug TEXT NOT NULL,
                    panel_id TEXT NOT NULL,
                    content_hash TEXT NOT NULL,
                    status TEXT NOT NULL,                -- passed, failed, forced, skipped
                    reasons TEXT NOT NULL,               -- JSON array of blocker reasons
                    results_json TEXT NOT NULL,
                    run_id INTEGER NOT NULL,
                    updated_at TEXT NOT NULL,
                    PRIMARY KEY (chapter_slug, panel_id)
                );
                -- Call ids are handed out in blocks so that a call has its id before its row is
                -- written, and processes sharing the file never hand out the same id.
                CREATE TABLE id_reservations (
                    table_name TEXT PRIMARY KEY,
                    next_id INTEGER NOT NULL
                );
                INSERT INTO id_reservations (table_name, next_id) VALUES ('calls', 1);
                """)
        }
        // Whole panels: the text phase's outcome for a panel, by the panel's content and the
        // chain's settings, so an unchanged panel skips the chain on a rerun.
        migrator.registerMigration("v2") { db in
            try db.execute(sql: """
                CREATE TABLE panel_results (
                    chain_key TEXT PRIMARY KEY,          -- panel content + chain settings
                    chapter_slug TEXT NOT NULL,
                    panel_id TEXT NOT NULL,
                    outcome TEXT NOT NULL,               -- the PanelOutcome, JSON
                    cost_usd REAL NOT NULL,
                    run_id INTEGER NOT NULL
                );
                CREATE INDEX panel_results_chapter ON panel_results(chapter_slug);
                ALTER TABLE panel_states ADD COLUMN chain_key TEXT;
                """)
        }
        migrator.registerMigration("v3-snapshots") { db in
            // One row per chapter per day (the day's latest run or status wins): what velocity
            // and projections in `panelproc status` are computed from.
            try db.execute(sql: """
                CREATE TABLE snapshots (
                    chapter_slug TEXT NOT NULL,
                    day TEXT NOT NULL,                   -- YYYY-MM-DD (UTC, or status --today)
                    pages INTEGER NOT NULL,
                    panels INTEGER NOT NULL,
                    words INTEGER NOT NULL,
                    passed INTEGER NOT NULL,
                    cost_usd REAL NOT NULL,
                    recorded_at TEXT NOT NULL,
                    PRIMARY KEY (chapter_slug, day)
                );
                """)
        }
        migrator.registerMigration("v4-call-bounds") { db in
            // What the real-model report needs per call: the bound sent, how the answer ended,
            // and why a call failed, as a kind rather than prose.
            try db.execute(sql: """
                ALTER TABLE calls ADD COLUMN max_tokens INTEGER;
                ALTER TABLE calls ADD COLUMN finish_reason TEXT;
                ALTER TABLE calls ADD COLUMN failure_kind TEXT;
                """)
        }
        migrator.registerMigration("v5-batches") { db in
            // `panelproc batch`: what went to a provider's Batch API, so that a request is sent
            // once, collected once, and resubmitted when it failed or expired.
            try db.execute(sql: BatchStore.schema)
        }
        return migrator
    }()

    static let upsertSnapshot = """
        INSERT INTO snapshots (chapter_slug, day, pages, panels, words, passed, cost_usd, recorded_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT(chapter_slug, day) DO UPDATE SET
            pages = excluded.pages, panels = excluded.panels, words = excluded.words, passed = excluded.passed,
            cost_usd = excluded.cost_usd, recorded_at = excluded.recorded_at
        """

    /// In the order `TraceStore` binds them.
    static let callColumns = [
        "id", "run_id", "chapter_slug", "panel_id", "stage", "prompt_name", "prompt_version",
        "provider", "model", "request_hash", "request", "response", "provider_request_id", "status",
        "attempt", "latency_ms", "tokens_in", "tokens_out", "cost_usd", "error", "cached_from",
        "started_at", "finished_at", "max_tokens", "finish_reason", "failure_kind",
    ]

    /// Inserts a call, or replaces every column of the row when its start was flushed earlier.
    static let upsertCall = """
        INSERT INTO calls (\(callColumns.joined(separator: ", ")))
        VALUES (\(callColumns.map { _ in "?" }.joined(separator: ", ")))
        ON CONFLICT(id) DO UPDATE SET \(callColumns.dropFirst().map { "\($0) = excluded.\($0)" }.joined(separator: ", "))
        """

    static let upsertPanelState = """
        INSERT INTO panel_states (chapter_slug, panel_id, content_hash, status, reasons, results_json, run_id, updated_at, chain_key)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT(chapter_slug, panel_id) DO UPDATE SET
            content_hash = excluded.content_hash, status = excluded.status, reasons = excluded.reasons,
            results_json = excluded.results_json, run_id = excluded.run_id, updated_at = excluded.updated_at,
            chain_key = excluded.chain_key
        """

    static let insertPanelResult = """
        INSERT OR REPLACE INTO panel_results (chain_key, chapter_slug, panel_id, outcome, cost_usd, run_id)
        VALUES (?, ?, ?, ?, ?, ?)
        """
}

/// UTC ISO-8601 with milliseconds ("2025-11-21T20:37:00.123Z"), written and read by hand: it
/// runs twice per call, and Foundation's formatters are slow on Linux.
enum TraceDate {
    static func format(_ date: Date) -> String {
        let (quotient, remainder) = Int64((date.timeIntervalSince1970 * 1000).rounded())
            .quotientAndRemainder(dividingBy: 1000)
        // Floor division, so dates before 1970 also get a millisecond part in 0..<1000.
        var seconds = time_t(remainder < 0 ? quotient - 1 : quotient)
        let milliseconds = remainder < 0 ? remainder + 1000 : remainder
        var parts = tm()
        gmtime_r(&seconds, &parts)
        var out = [UInt8]()
        out.reserveCapacity(24)
        func digits(_ value: Int, _ width: Int) {
            var divisor = 1
            for _ in 1..<width { divisor *= 10 }
            while divisor > 0 {
                out.append(UInt8(ascii: "0") + UInt8((value / divisor) % 10))
                divisor /= 10
            }
        }
        digits(Int(parts.tm_year) + 1900, 4); out.append(UInt8(ascii: "-"))
        digits(Int(parts.tm_mon) + 1, 2); out.append(UInt8(ascii: "-"))
        digits(Int(parts.tm_mday), 2); out.append(UInt8(ascii: "T"))
        digits(Int(parts.tm_hour), 2); out.append(UInt8(ascii: ":"))
        digits(Int(parts.tm_min), 2); out.append(UInt8(ascii: ":"))
        digits(Int(parts.tm_sec), 2); out.append(UInt8(ascii: "."))
        digits(Int(milliseconds), 3); out.append(UInt8(ascii: "Z"))
        return String(decoding: out, as: UTF8.self)
    }

    /// The date `format` wrote, or nil for any other text.
    static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count == 24, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
            bytes[10] == UInt8(ascii: "T"), bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
            bytes[19] == UInt8(ascii: "."), bytes[23] == UInt8(ascii: "Z")
        else { return nil }
        func number(_ start: Int, _ width: Int) -> Int? {
            var value = 0
            for byte in bytes[start..<start + width] {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
            let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2),
            let millisecond = number(20, 3)
        else { return nil }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        let seconds = Int64(timegm(&parts))
        return Date(timeIntervalSince1970: Double(seconds * 1000 + Int64(millisecond)) / 1000)
    }
}
