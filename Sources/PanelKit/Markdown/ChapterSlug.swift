import Foundation

/// Chapter identity: `01-paper-and-promises` from front matter, the H1, or the file name.
enum ChapterSlug {
    static func make(frontMatter: FrontMatter?, heading: String?, fileName: String?) -> String {
        let fromHeading = heading.flatMap(splitChapterHeading)
        let number = frontMatter?.chapterNumber ?? fromHeading?.number
        let title = frontMatter?.title ?? fromHeading?.title ?? heading
        var prefix = number.map { String(format: "%02d", $0) }
        if prefix == nil, let written = frontMatter?.chapter, !written.isEmpty {
            prefix = slugify(written)
        }
        if let title, !slugify(title).isEmpty {
            return [prefix, slugify(title)].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: "-")
        }
        if let prefix, !prefix.isEmpty { return "chapter-\(prefix)" }
        if let fileName {
            let stem = (fileName as NSString).deletingPathExtension
            let slug = slugify((stem as NSString).lastPathComponent)
            if !slug.isEmpty { return slug }
        }
        return "chapter"
    }

    /// `Chapter 2: The Double Spend` → (2, `The Double Spend`).
    static func splitChapterHeading(_ heading: String) -> (number: Int, title: String?)? {
        let text = heading.trimmingWhitespace()
        guard text.lowercased().hasPrefix("chapter ") else { return nil }
        // Reuse the marker grammar: `Chapter N: title` has the shape of `Page N: title`.
        guard let marker = MarkerRecognizer.recognize("page " + text.dropFirst("chapter ".count)) else { return nil }
        return (marker.number, marker.title)
    }

    /// Lower-case ASCII letters, digits and single hyphens; diacritics folded; at most 64 bytes.
    static func slugify(_ text: String) -> String {
        let folded = text.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: Locale(identifier: "en_US_POSIX"))
        var out = ""
        var pendingHyphen = false
        for scalar in folded.unicodeScalars {
            let isWordByte = scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar))
            if isWordByte {
                if pendingHyphen, !out.isEmpty { out.append("-") }
                pendingHyphen = false
                out.unicodeScalars.append(scalar)
            } else if scalar == "'" || scalar == "’" {
                continue  // `farmers' market` → `farmers-market`
            } else {
                pendingHyphen = true
            }
        }
        out = out.lowercased()
        if out.utf8.count > 64 {
            out = String(out.prefix(64))
            if let cut = out.lastIndex(of: "-") { out = String(out[..<cut]) }
        }
        return out
    }
}
