import Foundation
@testable import PanelKit
import Testing
import TestSupport

@Suite("Writing outputs: unchanged files untouched, side-by-side writers into a new folder")
struct FileIOTests {
    @Test("writeIfChanged leaves a file that already holds the bytes alone (its date too), and replaces one that does not")
    func unchangedIsNotWritten() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("out/chapter.json").path
        #expect(try FileIO.writeIfChanged(Array("{}\n".utf8), to: path))
        let past = Date(timeIntervalSince1970: 1_000_000)
        try FileManager.default.setAttributes([.modificationDate: past], ofItemAtPath: path)
        #expect(try !FileIO.writeIfChanged(Array("{}\n".utf8), to: path))
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date == past)
        #expect(try FileIO.writeIfChanged(Array("{ }\n".utf8), to: path))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "{ }\n")
        #expect(try FileIO.writeIfChanged([], to: path))
        #expect(try !FileIO.writeIfChanged([], to: path))
    }

    /// Pages and galleries resolve a path for every panel, so paths are resolved as text; they must
    /// still come out as Foundation's standardised file URLs do.
    @Test("Absolute paths: '.' and '..' resolved, repeated and trailing slashes dropped, as URL.standardizedFileURL does")
    func absolutePaths() {
        let cases: [(String, String)] = [
            ("chapter.md", "/work/book"), ("./ch/../ch/01.md", "/work/book"), ("../other/02.md", "/work/book/"),
            ("/abs//x/./y/../z.png", "/ignored"), ("/", "/x"), ("/..", "/x"), ("a/b/", "/w"), ("../../../../x", "/a/b"),
            ("généré/images/p01-01.png", "/livre"), ("dir with space/x.png", "/w/a b"),
        ]
        for (path, folder) in cases {
            let expected = path.hasPrefix("/")
                ? URL(fileURLWithPath: path).standardizedFileURL.path
                : URL(fileURLWithPath: folder).appendingPathComponent(path).standardizedFileURL.path
            #expect(FileIO.absolute(path, from: folder) == expected, "\(path) from \(folder)")
        }
        let cwd = FileManager.default.currentDirectoryPath
        #expect(FileIO.absolute("x.md", from: "book") == URL(fileURLWithPath: cwd).appendingPathComponent("book/x.md").standardizedFileURL.path)
        #expect(ImagePhase.relativePath("/a/b/./generated/../generated/x.png", from: "/a/b/") == "generated/x.png")
        #expect(ImagePhase.relativePath("/a/x.png", from: "/a/b/c") == "../../x.png")
    }

    /// Outputs are written side by side (`Pipeline`): they may make the same new folders at once.
    /// Foundation's `createDirectory` tolerates that; this holds it to it.
    @Test("Sixteen writers at once into the same folders that do not exist yet: every file written")
    func sideBySideFolders() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let failures = Locked<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 16) { index in
            let path = folder.appendingPathComponent("generated/chapter/pages/page-\(index).png").path
            do { try FileIO.writeAtomically([UInt8(index)], to: path) } catch { failures.mutate { $0.append("\(error)") } }
        }
        #expect(failures.value.isEmpty)
        let written = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("generated/chapter/pages").path)
        #expect(written.count == 16)
    }
}

private final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value
    init(_ value: Value) { stored = value }
    var value: Value { lock.lock(); defer { lock.unlock() }; return stored }
    func mutate(_ change: (inout Value) -> Void) { lock.lock(); change(&stored); lock.unlock() }
}
