import Foundation
@testable import PanelKit
import Testing
import TestSupport

@Suite("image_candidates, pin_max_mb and --candidates")
struct ImageControlSettingsTests {
    func resolve(_ yaml: String, flags: FlagSettings = FlagSettings()) throws -> RunSettings {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("panelproc.yml")
        try Data(yaml.utf8).write(to: file)
        return try RunSettings.resolve(file: file.path, environment: [:], flags: flags)
    }

    @Test("Defaults 1 candidate and 20 MB; the file sets both; the flag wins")
    func layers() throws {
        #expect(RunSettings().imageControl == ImageControlSettings())
        #expect(RunSettings().imageControl.pinMaxBytes == 20 * 1024 * 1024)
        let file = try resolve("image_candidates: 4\npin_max_mb: 2\n")
        #expect(file.imageControl.candidates == 4)
        #expect(file.imageControl.pinMaxBytes == 2 * 1024 * 1024)
        #expect(file.warnings.isEmpty)
        var flags = FlagSettings()
        flags.candidates = 2
        #expect(try resolve("image_candidates: 4\n", flags: flags).imageControl.candidates == 2)
    }

    @Test("A count outside 1…8 is an input error at its line and column")
    func outOfRange() throws {
        do {
            _ = try resolve("image_provider: sketch\nimage_candidates: 9\n")
            Issue.record("expected an error")
        } catch let error as InputError {
            #expect(error.description.contains("panelproc.yml:2:"), "\(error)")
        }
    }
}
