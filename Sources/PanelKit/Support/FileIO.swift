import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading inputs and writing outputs so that no file is ever torn: a write goes to a temporary
/// file in the same folder, is flushed to disk, and replaces the target by `rename`.
public enum FileIO {
    /// Reads a whole file, or says why it cannot.
    /// `path` made absolute against `folder` (`~` expanded).
    public static func absolute(_ path: String, from folder: String = FileManager.default.currentDirectoryPath) -> String {
        let expanded = path.hasPrefix("~") ? (path as NSString).expandingTildeInPath : path
        if expanded.hasPrefix("/") { return normalized(expanded) }
        let base = folder.hasPrefix("/") ? folder : FileManager.default.currentDirectoryPath + "/" + folder
        return normalized(base + "/" + expanded)
    }

    /// An absolute path with `.` and `..` resolved and empty parts dropped, read as text (as
    /// `URL.standardizedFileURL` does, without its cost: pages and galleries resolve a path for
    /// every panel).
    static func normalized(_ absolutePath: String) -> String {
        var parts: [Substring] = []
        for part in absolutePath.split(separator: "/") {
            if part == "." { continue }
            if part == ".." {
                if !parts.isEmpty { parts.removeLast() }
                continue
            }
            parts.append(part)
        }
        return "/" + parts.joined(separator: "/")
    }

    static func readSource(path: String) throws(InputError) -> SourceText {
        var info = stat()
        if stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
            throw InputError(file: path, message: "is a folder, expected a Markdown file",
                             hint: "pass the chapter files inside it, e.g. \(path)/*.md")
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            let reason = String(cString: strerror(errno))
            throw InputError(file: path, message: "cannot read: \(reason)",
                             hint: errno == ENOENT ? "check the path" : "check the file's permissions")
        }
        defer { try? handle.close() }
        do {
            let data = try handle.readToEnd() ?? Data()
            return SourceText(bytes: [UInt8](data))
        } catch {
            throw InputError(file: path, message: "cannot read: \(error.localizedDescription)")
        }
    }

    /// Reads standard input to its end.
    static func readStandardInput() -> SourceText {
        let data = FileHandle.standardInput.readDataToEndOfFile()
        return SourceText(bytes: [UInt8](data))
    }

    /// An output that could not be written (exit status 3).
    public struct WriteError: Error, CustomStringConvertible, Sendable {
        public var path: String
        public var reason: String
        public var description: String { "\(path): error: cannot write: \(reason)" }
    }

    /// Writes `bytes` atomically unless `path` already holds exactly them (a rerun over unchanged
    /// input touches nothing). Returns whether it wrote. Compared as memory: byte by byte through
    /// `Data`'s iterator took 0.1 s for a 7 MB `chapter.json`.
    @discardableResult
    public static func writeIfChanged(_ bytes: [UInt8], to path: String) throws(WriteError) -> Bool {
        if let current = FileManager.default.contents(atPath: path), current.count == bytes.count,
           bytes.isEmpty || current.withUnsafeBytes({ old in bytes.withUnsafeBytes { memcmp(old.baseAddress!, $0.baseAddress!, bytes.count) == 0 } }) {
            return false
        }
        try writeAtomically(bytes, to: path)
        return true
    }

    /// Replaces `path` with `bytes` atomically, creating parent folders and keeping the
    /// permission bits of a file that already exists.
    public static func writeAtomically(_ bytes: [UInt8], to path: String) throws(WriteError) {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw WriteError(path: folder, reason: error.localizedDescription)
        }
        var existing = stat()
        let keepMode: mode_t? = stat(path, &existing) == 0 ? existing.st_mode & 0o7777 : nil
        var template = Array("\(folder)/.\(url.lastPathComponent).panelproc-XXXXXX".utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else { throw WriteError(path: path, reason: String(cString: strerror(errno))) }
        let temporary = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var failure: String?
        bytes.withUnsafeBytes { buffer in
            var written = 0
            while written < buffer.count {
                let result = write(descriptor, buffer.baseAddress! + written, buffer.count - written)
                if result < 0 {
                    if errno == EINTR { continue }
                    failure = String(cString: strerror(errno))
                    return
                }
                written += result
            }
        }
        if failure == nil {
            let mode = keepMode ?? (0o666 & ~currentUmask())
            if fchmod(descriptor, mode) != 0 { failure = String(cString: strerror(errno)) }
        }
        if failure == nil, fsync(descriptor) != 0 { failure = String(cString: strerror(errno)) }
        close(descriptor)
        if failure == nil, rename(temporary, path) != 0 { failure = String(cString: strerror(errno)) }
        if let failure {
            unlink(temporary)
            throw WriteError(path: path, reason: failure)
        }
        // Make the rename itself durable.
        let folderDescriptor = open(folder, O_RDONLY)
        if folderDescriptor >= 0 {
            fsync(folderDescriptor)
            close(folderDescriptor)
        }
    }

    private static func currentUmask() -> mode_t {
        let mask = umask(0o022)
        umask(mask)
        return mask
    }
}
