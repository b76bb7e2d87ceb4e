import Foundation
import PanelKit

/// Prepares one document and runs it through a chapter job, with a scratch trace in `folder`
/// unless `options` names one.
func runJob(_ input: InputDocument, in folder: URL, configuration: Configuration = Configuration(),
            options: ChapterJob.Options = ChapterJob.Options(), imageProvider: (any ImageProvider)? = nil) async throws -> RunReport
{
    var options = options
    options.tracePath = options.tracePath ?? folder.appendingPathComponent("trace.sqlite").path
    let job = ChapterJob(configuration: configuration, options: options)
    var databases: [String: CharacterDatabase] = [:]
    let prepared = try job.prepare(input, databases: &databases)
    return try await job.run([prepared], imageProvider: imageProvider)
}
