import Foundation

/// Paths of the repository and its fixtures, found from this file's location.
public enum RepoPaths {
    public static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    public static let fixtures = root.appendingPathComponent("Tests/PanelKitTests/Fixtures")
    public static let snapshots = root.appendingPathComponent("Tests/PanelKitTests/Snapshots")
    public static let examples = root.appendingPathComponent("examples")
    public static let schema = root.appendingPathComponent("schema/chapter.schema.json")
    /// `../shared/samples` beside the repository, when it is there (it is in CI).
    public static let sharedSamples = root.deletingLastPathComponent().appendingPathComponent("shared/samples")

    public static func fixture(_ name: String) -> URL { fixtures.appendingPathComponent(name) }

    public static func files(in folder: URL, withExtension ext: String) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix("." + ext) }.sorted().map { folder.appendingPathComponent($0) }
    }

    public static func bytes(_ url: URL) throws -> [UInt8] { [UInt8](try Data(contentsOf: url)) }
}

/// A finished child process.
public struct ProcessOutput: Sendable {
    public var status: Int32
    public var stdout: [UInt8]
    public var stderr: String
    public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
}

/// Runs a program to completion. Output goes through temporary files (no pipe can fill up), and
/// the wait uses `terminationHandler` (`waitUntilExit` spun and hung on this platform).
public func runProcess(_ executable: String, _ arguments: [String], stdin: [UInt8]? = nil,
                       environment: [String: String]? = nil, currentDirectory: URL? = nil) async throws -> ProcessOutput
{
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("panelproc-proc-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: scratch) }
    let inURL = scratch.appendingPathComponent("stdin"), outURL = scratch.appendingPathComponent("stdout"),
        errURL = scratch.appendingPathComponent("stderr")
    try Data(stdin ?? []).write(to: inURL)
    FileManager.default.createFile(atPath: outURL.path, contents: nil)
    FileManager.default.createFile(atPath: errURL.path, contents: nil)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let environment { process.environment = environment }
    if let currentDirectory { process.currentDirectoryURL = currentDirectory }
    let inHandle = try FileHandle(forReadingFrom: inURL)
    let outHandle = try FileHandle(forWritingTo: outURL)
    let errHandle = try FileHandle(forWritingTo: errURL)
    process.standardInput = stdin == nil ? FileHandle.nullDevice : inHandle
    process.standardOutput = outHandle
    process.standardError = errHandle
    let status: Int32 = try await withCheckedThrowingContinuation { continuation in
        process.terminationHandler = { finished in continuation.resume(returning: finished.terminationStatus) }
        do { try process.run() } catch {
            process.terminationHandler = nil
            continuation.resume(throwing: error)
        }
    }
    try? inHandle.close(); try? outHandle.close(); try? errHandle.close()
    return ProcessOutput(status: status, stdout: [UInt8](try Data(contentsOf: outURL)),
                         stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
}

/// A fresh temporary folder, removed by the caller with `removeItem`.
public func makeTemporaryFolder() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("panelproc-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Golden files: compares `actual` with the committed snapshot, or records it when
/// `PANELPROC_RECORD=1`. Returns nil on a match, else a unified diff to show.
public func goldenMismatch(_ actual: [UInt8], snapshot name: String) throws -> String? {
    let url = RepoPaths.snapshots.appendingPathComponent(name)
    if ProcessInfo.processInfo.environment["PANELPROC_RECORD"] == "1" {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(actual).write(to: url)
        return nil
    }
    guard let expected = FileManager.default.contents(atPath: url.path) else {
        return "no snapshot at \(url.path); run `PANELPROC_RECORD=1 swift test` to record it"
    }
    if [UInt8](expected) == actual { return nil }
    return unifiedDiff(expected: [UInt8](expected), actual: actual, name: name)
}

/// A readable line diff (with `\r` shown) between two byte buffers.
public func unifiedDiff(expected: [UInt8], actual: [UInt8], name: String) -> String {
    func lines(_ bytes: [UInt8]) -> [String] {
        String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "\r", with: "␍")
            .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }
    let old = lines(expected), new = lines(actual)
    var out = ["--- \(name) (snapshot)", "+++ \(name) (actual)"]
    var shown = 0
    for index in 0..<max(old.count, new.count) where shown < 40 {
        let left = index < old.count ? old[index] : nil, right = index < new.count ? new[index] : nil
        if left == right { continue }
        out.append("@@ line \(index + 1) @@")
        if let left { out.append("-" + left) }
        if let right { out.append("+" + right) }
        shown += 1
    }
    out.append("(re-record with PANELPROC_RECORD=1 swift test if the change is intended)")
    return out.joined(separator: "\n")
}

/// A small seeded generator so property tests can be repeated (`PANELPROC_SEED`).
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}
