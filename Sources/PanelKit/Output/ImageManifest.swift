import Foundation

/// `manifest.json`: one entry per image of a chapter and one provenance entry per run that made
/// images. Read back on the next run to decide which images are stale.
public struct ImageManifest: Sendable, Equatable {
    struct Entry: Sendable, Equatable {
        var panelID: String
        /// `generated`, or `stale` (the panel failed, or its new image was refused: the file is
        /// kept but no image line points at it).
        var status: String
        /// The panel's content hash when the image was made.
        var contentHash: String
        /// SHA-256 of everything sent to the provider: a change means the image is stale.
        var promptHash: String
        var provider: String
        var model: String
        var size: String
        /// Relative to the Markdown file's folder.
        var path: String
        var generatedAt: String
        var metadata: ImageMetadata
        var costUSD: Double
        var reason: String?
        /// The renderer's warnings (text overflowing a bubble), kept for the checklist of later runs.
        var warnings: [String] = []
        /// Made for a panel that failed the gate and was let through with `--force`.
        var forced = false
        /// With `image_candidates` above 1: every candidate's path (relative to the Markdown
        /// file's folder), candidate 1 first; `path` holds a copy of the chosen one.
        var candidates: [String] = []
        /// The candidate `panelproc pick` chose (nil: candidate 1, the default).
        var picked: Int?
        /// Set when the status is `pinned`: the writer's own image, never regenerated.
        var pin: Pin?

        /// A pinned image: its SHA-256 and the file it was copied from.
        struct Pin: Sendable, Equatable {
            var sha256: String
            var originalName: String
        }

        /// The writer's own image (`panelproc pin`).
        var isPinned: Bool { status == "pinned" }
    }

    struct Provenance: Sendable, Equatable {
        var runID: Int64?
        var at: String
        var provider: String
        var model: String
        var generated: [String]
        var costUSD: Double
    }

    static let schemaVersion = 1
    var chapterSlug: String
    /// The Markdown file that owns `generated/<slug>/`, relative to that folder (nil for standard
    /// input, and in manifests written before panelproc recorded it).
    var source: String?
    var entries: [Entry]
    var runs: [Provenance]

    init(chapterSlug: String, entries: [Entry] = [], runs: [Provenance] = []) {
        self.chapterSlug = chapterSlug
        self.entries = entries
        self.runs = runs
    }

    func entry(_ panelID: String) -> Entry? { entries.first { $0.panelID == panelID } }

    /// A generated image whose panel no longer passes: kept on disk, never `generated`.
    mutating func markStale(_ panelID: String, reason: String) {
        guard var entry = entry(panelID), entry.status == "generated" else { return }
        entry.status = "stale"
        entry.reason = reason
        upsert(entry)
    }

    /// The Markdown file recorded as the folder's owner, as an absolute path.
    func owner(directory: String) -> String? {
        source.map { ((directory as NSString).appendingPathComponent($0) as NSString).standardizingPath }
    }

    mutating func upsert(_ entry: Entry) {
        if let index = entries.firstIndex(where: { $0.panelID == entry.panelID }) {
            entries[index] = entry
        } else {
            entries.append(entry)
        }
        entries.sort { $0.panelID < $1.panelID }
    }

    var json: JSONValue {
        .object([
            ("schema_version", .int(Self.schemaVersion)),
            ("chapter", .string(chapterSlug)),
            ("source", .optional(source)),
            ("images", .array(entries.map { entry in
                .object([
                    ("panel_id", .string(entry.panelID)), ("status", .string(entry.status)),
                    ("content_hash", .string(entry.contentHash)), ("prompt_hash", .string(entry.promptHash)),
                    ("provider", .string(entry.provider)), ("model", .string(entry.model)), ("size", .string(entry.size)),
                    ("path", .string(entry.path)), ("generated_at", .string(entry.generatedAt)),
                    ("metadata", Self.metadataJSON(entry.metadata)), ("cost_usd", .double(entry.costUSD)),
                    ("reason", .optional(entry.reason)), ("warnings", .array(entry.warnings.map(JSONValue.string))),
                    ("forced", .bool(entry.forced)),
                ] + Self.controlJSON(entry))
            })),
            ("runs", .array(runs.map { run in
                .object([
                    ("run_id", run.runID.map { .int(Int($0)) } ?? .null), ("at", .string(run.at)),
                    ("provider", .string(run.provider)), ("model", .string(run.model)),
                    ("generated", .array(run.generated.map(JSONValue.string))), ("cost_usd", .double(run.costUSD)),
                ])
            })),
        ])
    }

    /// Candidates, pick and pin, present only when used (older manifests stay byte-identical).
    static func controlJSON(_ entry: Entry) -> [(String, JSONValue)] {
        var members: [(String, JSONValue)] = []
        if !entry.candidates.isEmpty { members.append(("candidates", .array(entry.candidates.map(JSONValue.string)))) }
        if let picked = entry.picked { members.append(("picked", .int(picked))) }
        if let pin = entry.pin {
            members.append(("pin", .object([("original_name", .string(pin.originalName)), ("sha256", .string(pin.sha256))])))
        }
        return members
    }

    static func metadataJSON(_ metadata: ImageMetadata) -> JSONValue {
        .object([
            ("model", .string(metadata.model)), ("seed", .optional(metadata.seed)), ("request_id", .optional(metadata.requestID)),
            ("revised_prompt", .optional(metadata.revisedPrompt)), ("cost_usd", metadata.costUSD.map(JSONValue.double) ?? .null),
        ])
    }

    /// Reads a manifest; a missing file is an empty manifest, a damaged one is an input error.
    static func load(path: String, chapterSlug: String) throws(InputError) -> ImageManifest {
        guard FileManager.default.fileExists(atPath: path) else { return ImageManifest(chapterSlug: chapterSlug) }
        let source = try FileIO.readSource(path: path)
        let value = JSONValue(try LocatedJSON.parse(source.bytes, file: path))
        var manifest = ImageManifest(chapterSlug: value["chapter"]?.string ?? chapterSlug)
        manifest.source = value["source"]?.string
        for item in value["images"]?.array ?? [] {
            guard let panelID = item["panel_id"]?.string, let path = item["path"]?.string else { continue }
            let metadata = item["metadata"] ?? .object([])
            manifest.entries.append(Entry(
                panelID: panelID, status: item["status"]?.string ?? "generated",
                contentHash: item["content_hash"]?.string ?? "", promptHash: item["prompt_hash"]?.string ?? "",
                provider: item["provider"]?.string ?? "", model: item["model"]?.string ?? "", size: item["size"]?.string ?? "",
                path: path, generatedAt: item["generated_at"]?.string ?? "",
                metadata: ImageMetadata(model: metadata["model"]?.string ?? "", seed: metadata["seed"]?.integer,
                                        requestID: metadata["request_id"]?.string, revisedPrompt: metadata["revised_prompt"]?.string,
                                        costUSD: metadata["cost_usd"]?.number),
                costUSD: item["cost_usd"]?.number ?? 0, reason: item["reason"]?.string,
                warnings: item["warnings"]?.strings ?? [], forced: item["forced"]?.bool ?? false,
                candidates: item["candidates"]?.strings ?? [], picked: item["picked"]?.integer,
                pin: item["pin"].flatMap { pin in
                    pin["sha256"]?.string.map { Entry.Pin(sha256: $0, originalName: pin["original_name"]?.string ?? "") }
                }))
        }
        for run in value["runs"]?.array ?? [] {
            manifest.runs.append(Provenance(
                runID: run["run_id"]?.integer.map(Int64.init), at: run["at"]?.string ?? "", provider: run["provider"]?.string ?? "",
                model: run["model"]?.string ?? "", generated: run["generated"]?.strings ?? [], costUSD: run["cost_usd"]?.number ?? 0))
        }
        return manifest
    }
}
