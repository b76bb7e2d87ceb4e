import Foundation

/// One finished step as saved in `<chapter>.draft/<step>.json`: the answer, the hash of the
/// inputs it was made from, and (for a multi-option step) the writer's choice.
struct DraftStepRecord: Sendable, Equatable {
    var step: String
    var promptName: String
    var promptVersion: Int
    /// SHA-256 of the template's name and version and the variables the step was rendered with.
    var inputsHash: String
    var provider: String
    var model: String
    /// The call behind the answer (the trace's request-hash prefix).
    var traceID: String
    /// The answer as the schema shapes it.
    var answer: JSONValue
    /// 1-based; only for steps with options (1 unless the writer chose another).
    var choice: Int?

    static let schemaVersion = 1

    var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("schema_version", .int(Self.schemaVersion)), ("step", .string(step)), ("prompt", .string(promptName)),
            ("prompt_version", .int(promptVersion)), ("inputs_hash", .string(inputsHash)), ("provider", .string(provider)),
            ("model", .string(model)), ("trace_id", .string(traceID)),
        ]
        if let choice { members.append(("choice", .int(choice))) }
        members.append(("answer", answer))
        return .object(members)
    }

    init(step: String, promptName: String, promptVersion: Int, inputsHash: String, provider: String, model: String,
         traceID: String, answer: JSONValue, choice: Int?) {
        self.step = step
        self.promptName = promptName
        self.promptVersion = promptVersion
        self.inputsHash = inputsHash
        self.provider = provider
        self.model = model
        self.traceID = traceID
        self.answer = answer
        self.choice = choice
    }

    init(_ value: JSONValue, file: String) throws(InputError) {
        guard value["schema_version"]?.integer == Self.schemaVersion, let step = value["step"]?.string,
              let prompt = value["prompt"]?.string, let version = value["prompt_version"]?.integer,
              let hash = value["inputs_hash"]?.string, let answer = value["answer"]
        else {
            throw InputError(file: file, message: "is not a draft step record (schema_version 1, step, prompt, inputs_hash, answer)",
                             hint: "remove the file: the next run makes that step again")
        }
        self.init(step: step, promptName: prompt, promptVersion: version, inputsHash: hash,
                  provider: value["provider"]?.string ?? "", model: value["model"]?.string ?? "",
                  traceID: value["trace_id"]?.string ?? "", answer: answer, choice: value["choice"]?.integer)
    }

    /// The options of a multi-option step (`answer.options`).
    var options: [JSONValue] { answer["options"]?.array ?? [] }

    /// What dependants read: the chosen option, or the whole answer.
    var output: JSONValue {
        guard let choice else { return answer }
        let options = self.options
        return options.indices.contains(choice - 1) ? options[choice - 1] : (options.first ?? .null)
    }
}

/// Where a step stands.
public enum DraftStepState: String, Sendable, Equatable {
    /// Saved, and made from the inputs its dependencies hold now.
    case done
    /// Saved, but a dependency changed (another choice, a redone step, a new premise) or is not done.
    case stale
    /// Never made.
    case toDo = "to do"
}

/// The state folder `<chapter>.draft/`: `request.json` and one `<step>.json` per finished step,
/// each written atomically, so a killed run loses at most the step in flight.
struct DraftStateFolder: Sendable {
    let path: String

    /// `ch.md` → `ch.draft` beside it.
    static func forChapter(_ chapterPath: String) -> DraftStateFolder {
        let absolute = FileIO.absolute(chapterPath)
        let stem = (absolute as NSString).deletingPathExtension
        return DraftStateFolder(path: stem + ".draft")
    }

    var requestPath: String { (path as NSString).appendingPathComponent("request.json") }

    func stepPath(_ id: String) -> String { (path as NSString).appendingPathComponent(id + ".json") }

    func readRequest() throws(InputError) -> DraftRequest? {
        guard let value = try readJSON(requestPath) else { return nil }
        return try DraftRequest.read(value, file: requestPath)
    }

    func write(_ request: DraftRequest) throws(FileIO.WriteError) {
        try writeIfChanged(request.json, to: requestPath)
    }

    /// `written.sha256`: the digest of the chapter as the draft last wrote it, so a chapter the
    /// writer has edited since is never silently replaced.
    var writtenPath: String { (path as NSString).appendingPathComponent("written.sha256") }

    func writtenDigest() -> String? {
        FileManager.default.contents(atPath: writtenPath).map { String(decoding: $0, as: UTF8.self).trimmingWhitespace() }
    }

    func recordWritten(_ digest: String) throws(FileIO.WriteError) {
        guard writtenDigest() != digest else { return }
        try FileIO.writeAtomically(Array((digest + "\n").utf8), to: writtenPath)
    }

    func readRecord(_ id: String) throws(InputError) -> DraftStepRecord? {
        let file = stepPath(id)
        guard let value = try readJSON(file) else { return nil }
        let record = try DraftStepRecord(value, file: file)
        guard record.step == id else {
            throw InputError(file: file, message: "holds the step `\(record.step)`, not `\(id)`", hint: "remove the file")
        }
        return record
    }

    func write(_ record: DraftStepRecord) throws(FileIO.WriteError) {
        try writeIfChanged(record.json, to: stepPath(record.step))
    }

    private func writeIfChanged(_ value: JSONValue, to file: String) throws(FileIO.WriteError) {
        try FileIO.writeIfChanged(Array(value.serialized().utf8), to: file)
    }

    private func readJSON(_ file: String) throws(InputError) -> JSONValue? {
        guard FileManager.default.fileExists(atPath: file) else { return nil }
        let source = try FileIO.readSource(path: file)
        return try JSONValue.parse(String(decoding: source.bytes, as: UTF8.self), file: file)
    }
}
