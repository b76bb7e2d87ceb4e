import Foundation

/// `panelproc status`: finds the chapters, reads each once (the pages, panels and hashes it
/// needs, no stage runs), compares with the trace and the manifests, and records today's snapshot
/// of each chapter.
public struct StatusRun: Sendable {
    public var settings: RunSettings
    public var today: CalendarDay

    public init(settings: RunSettings, today: CalendarDay) {
        self.settings = settings
        self.today = today
    }

    /// The Markdown files named, and those under the folders named (recursively, skipping hidden
    /// folders and `generated/`), in path order.
    public static func candidateFiles(_ paths: [String]) -> [String] {
        var files: [String] = []
        let manager = FileManager.default
        for path in paths {
            var isFolder: ObjCBool = false
            guard manager.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue else {
                files.append(path)
                continue
            }
            var found: [String] = []
            var stack = [path]
            while let folder = stack.popLast() {
                let names = (try? manager.contentsOfDirectory(atPath: folder)) ?? []
                for name in names where !name.hasPrefix(".") {
                    let child = folder == "." ? name : (folder as NSString).appendingPathComponent(name)
                    var childIsFolder: ObjCBool = false
                    guard manager.fileExists(atPath: child, isDirectory: &childIsFolder) else { continue }
                    if childIsFolder.boolValue {
                        if name != "generated" { stack.append(child) }
                    } else if name.hasSuffix(".md") || name.hasSuffix(".markdown") {
                        found.append(child)
                    }
                }
            }
            files += found.sorted()
        }
        return files
    }

    /// Every chapter with at least one panel, in chapter order. A file that does not contain the
    /// word "panel" anywhere cannot hold a panel header and is not parsed at all.
    public func run(_ paths: [String]) async throws(StatusFailure) -> ProductionStatus {
        let parse = ParsePhase(settings: settings)
        var databases: [String: CharacterDatabase] = [:]
        var chapters: [PreparedChapter] = []
        var errors: [InputError] = []
        for file in Self.candidateFiles(paths) {
            do {
                let input = try InputDocument.read(file)
                guard Self.mayHavePanels(input.source.bytes) else { continue }
                let prepared = try parse.prepare(input, databases: &databases)
                if !prepared.chapter.panels.isEmpty { chapters.append(prepared) }
            } catch {
                errors.append(error)
            }
        }
        if !errors.isEmpty { throw .input(errors) }
        chapters.sort(by: Self.chapterOrder)

        // One trace per folder (or the configured one), opened once.
        var byTrace: [String: [Int]] = [:]
        for (index, chapter) in chapters.enumerated() {
            byTrace[settings.trace ?? (chapter.input.folder as NSString).appendingPathComponent(".panelproc/trace.sqlite"), default: []].append(index)
        }
        var statuses = [ChapterStatus?](repeating: nil, count: chapters.count)
        for (path, indices) in byTrace.sorted(by: { $0.key < $1.key }) {
            do {
                let trace = try TraceStore(path: path)
                let states = try await trace.panelStateSummaries()
                let costs = try await trace.costByChapter()
                let history = try await trace.snapshots(chapterSlugs: indices.map { chapters[$0].chapter.slug },
                                                        since: today.adding(days: -ProductionStatus.window))
                var snapshots: [ChapterSnapshot] = []
                for index in indices {
                    let prepared = chapters[index]
                    let slug = prepared.chapter.slug
                    let directory = settings.chapterDirectory(for: prepared.input, slug: slug)
                    let manifest = try? ImageManifest.load(path: (directory as NSString).appendingPathComponent("manifest.json"), chapterSlug: slug)
                    let status = ProductionStatus.chapter(prepared, states: states, cost: costs[slug] ?? 0,
                                                          manifest: manifest, history: history[slug] ?? [], today: today,
                                                          thresholds: settings.pacing)
                    statuses[index] = status
                    snapshots.append(ChapterSnapshot(chapterSlug: slug, day: today, pages: status.pages, panels: status.panels,
                                                     words: status.words, passed: status.passed, costUSD: status.costUSD))
                }
                try await trace.recordSnapshots(snapshots)
            } catch {
                throw .trace("\(error)")
            }
        }
        return ProductionStatus(today: today, chapters: statuses.compactMap { $0 })
    }

    /// `panel`, in any case, somewhere in the bytes.
    static func mayHavePanels(_ bytes: [UInt8]) -> Bool {
        let word: [UInt8] = Array("panel".utf8)
        guard bytes.count >= word.count else { return false }
        var index = 0
        let last = bytes.count - word.count
        while index <= last {
            if bytes[index] | 0x20 == word[0] {
                var matched = true
                for offset in 1..<word.count where bytes[index + offset] | 0x20 != word[offset] {
                    matched = false
                    break
                }
                if matched { return true }
            }
            index += 1
        }
        return false
    }

    /// Front matter `chapter` (numbers in numeric order), else the file name.
    static func chapterOrder(_ lhs: PreparedChapter, _ rhs: PreparedChapter) -> Bool {
        let left = lhs.chapter.frontMatter?.chapter ?? lhs.input.fileName ?? ""
        let right = rhs.chapter.frontMatter?.chapter ?? rhs.input.fileName ?? ""
        switch left.compare(right, options: [.numeric, .caseInsensitive]) {
        case .orderedAscending: return true
        case .orderedDescending: return false
        case .orderedSame: return lhs.input.displayName < rhs.input.displayName
        }
    }
}

/// Why `status` could not report: bad inputs (exit 2, every one named) or an unusable trace (exit 3).
public enum StatusFailure: Error, Sendable {
    case input([InputError])
    case trace(String)
}
