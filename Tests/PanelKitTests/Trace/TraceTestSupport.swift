import Foundation
@testable import PanelKit
import TestSupport

/// A fixed start time, a whole number of milliseconds so that records read back compare equal.
let traceEpoch = Date(timeIntervalSince1970: 1_700_000_000.123)

/// A call record as the runner would pass it to `callStarted`.
func callRecord(run: Int64, panel: String = "p01-01", stage: String = "theme", hash: String,
                startedAt: Date = traceEpoch, slug: String = "01-paper") -> CallRecord
{
    CallRecord(runID: run, chapterSlug: slug, panelID: panel, stage: stage, promptName: stage,
               promptVersion: 1, provider: "offline", model: "offline-1", requestHash: hash,
               request: #"{"prompt":"\#(hash)"}"#, startedAt: startedAt)
}

/// The same record, finished the way the provider answered.
func finished(_ record: CallRecord, _ status: CallStatus, response: String? = nil, cost: Double? = nil) -> CallRecord {
    var record = record
    record.status = status
    // A refusal has a body too: the cache must not serve it.
    record.response = response ?? (status == .succeeded ? "response \(record.requestHash)" : #"{"error":"content policy"}"#)
    record.error = status == .failed ? "HTTP 400: content policy" : nil
    record.latencyMS = 12.5
    record.tokensIn = 100
    record.tokensOut = 20
    record.costUSD = cost
    record.providerRequestID = "req-\(record.requestHash)"
    record.finishedAt = record.startedAt.addingTimeInterval(0.5)
    return record
}

/// A trace file in a fresh temporary folder, inside folders that do not exist yet.
func temporaryTracePath() throws -> (folder: URL, path: String) {
    let folder = try makeTemporaryFolder()
    return (folder, folder.appendingPathComponent("book/.panelproc/trace.sqlite").path)
}

/// Runs a query with the sqlite3 shell and returns its output lines.
func sqlite(_ path: String, _ query: String) async throws -> [String] {
    let output = try await runProcess("/usr/bin/sqlite3", ["-cmd", ".timeout 10000", path, query])
    guard output.status == 0 else {
        throw SQLiteShellError(message: "sqlite3 \(query): status \(output.status): \(output.stderr)")
    }
    return output.stdoutText.split(separator: "\n").map(String.init)
}

struct SQLiteShellError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
