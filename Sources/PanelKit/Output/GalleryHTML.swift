import Foundation

/// Renders the gallery models as self-contained HTML: inline CSS (light and dark schemes), one
/// small inline script for conveniences (a lightbox and arrow-key navigation; the page reads the
/// same without it), relative links only, no time in the output. A Content-Security-Policy allows
/// no network resource and only that one script, by hash; on top of that every piece of the
/// writer's text is escaped.
enum GalleryHTML {
    /// `&`, `<`, `>`, `"` and `'` as character references: safe in text and in quoted attributes.
    static func escape(_ text: String) -> String {
        // Most text has nothing to escape.
        guard text.utf8.contains(where: { $0 == UInt8(ascii: "&") || $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">")
            || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "'") }) else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count + 16)
        for character in text.unicodeScalars {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }

    /// A relative path as an attribute value: every byte outside `A-Z a-z 0-9 - . _ ~ /`
    /// percent-encoded, so no path can carry a scheme (`javascript:`) or break out of the attribute.
    static func href(_ path: String) -> String {
        var out = ""
        for byte in path.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "/"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }

    static func money(_ usd: Double) -> String {
        usd > 0 && usd < 0.01 ? String(format: "$%.4f", usd) : String(format: "$%.2f", usd)
    }

    // MARK: - Chapter page

    static func chapter(_ gallery: GalleryChapter) -> String {
        var html = head(title: gallery.title + " — panelproc gallery")
        html += "<body>\n<header class=\"chapter\">\n"
        html += "<p class=\"crumbs\"><a href=\"../index.html\">All chapters</a></p>\n"
        html += "<h1>\(escape(gallery.title))</h1>\n"
        if let file = gallery.sourceFile { html += "<p class=\"source\">\(escape(file))</p>\n" }
        html += "<ul class=\"counts\">"
        html += "<li>\(gallery.panelCount) panel\(gallery.panelCount == 1 ? "" : "s")</li>"
        for (status, count) in gallery.counts where count > 0 {
            html += "<li class=\"badge \(status.rawValue)\">\(count) \(status.rawValue)</li>"
        }
        html += "</ul>\n"
        if !gallery.themes.isEmpty {
            html += "<p class=\"themes\">Themes: "
            html += gallery.themes.map { "<span class=\"theme\">\(escape($0.theme)) \($0.count)</span>" }.joined(separator: " ")
            html += "</p>\n"
        }
        html += "<p class=\"cost\">Cost: \(money(gallery.costUSD))</p>\n"
        let pageLinks = gallery.pages.compactMap { page in page.pageImage.map { (page.label, $0) } }
        if !gallery.downloads.isEmpty || !pageLinks.isEmpty {
            html += "<nav class=\"downloads\">"
            html += gallery.downloads.map { "<a href=\"\(href($0.href))\">\(escape($0.text))</a>" }.joined(separator: " ")
            if !pageLinks.isEmpty {
                html += " <span>Page layouts:</span> "
                html += pageLinks.map { "<a href=\"\(href($0.1))\">\(escape($0.0))</a>" }.joined(separator: " ")
            }
            html += "</nav>\n"
        }
        html += "</header>\n"
        for section in gallery.sections {
            html += "<section class=\"extra\" id=\"\(escape(section.id))\">\n<h2>\(escape(section.heading))</h2>\n"
            switch section.content {
            case .text(let text): html += "<p>\(escape(text))</p>\n"
            case .trustedHTML(let markup): html += markup + "\n"
            }
            html += "</section>\n"
        }
        html += "<main>\n"
        for page in gallery.pages {
            html += "<section class=\"page\">\n<h2>\(escape(page.label))"
            if let image = page.pageImage { html += " <a class=\"layout\" href=\"\(href(image))\">page layout</a>" }
            html += "</h2>\n<div class=\"cards\">\n"
            for card in page.cards { html += self.card(card) }
            html += "</div>\n</section>\n"
        }
        html += "</main>\n"
        html += summary(gallery)
        html += "<script>\(script)</script>\n</body>\n</html>\n"
        return html
    }

    static func card(_ card: GalleryCard) -> String {
        let heading = card.id + (card.title.map { " · " + $0 } ?? "")
        var html = "<article class=\"card \(card.status.rawValue)\" id=\"\(escape(card.id))\">\n"
        if let image = card.image {
            html += "<a class=\"thumb\" href=\"\(href(image))\"><img src=\"\(href(image))\" alt=\"\(escape(heading))\"></a>\n"
        } else {
            html += "<div class=\"placeholder\"><strong>\(card.status == .skipped ? "no image: skipped" : "no image: \(card.status.rawValue)")</strong>"
            if !card.reasons.isEmpty {
                html += "<ul>" + card.reasons.map { "<li>\(escape($0))</li>" }.joined() + "</ul>"
            }
            html += "</div>\n"
        }
        html += GalleryControl.html(card)
        html += "<h3><span class=\"id\">\(escape(card.id))</span>"
        if let title = card.title { html += " \(escape(title))" }
        html += "</h3>\n<p class=\"meta\"><span class=\"badge \(card.status.rawValue)\">\(card.status.rawValue)</span> "
        html += "<span class=\"cost\">\(money(card.costUSD))</span> <code class=\"where\">\(escape(card.source))</code></p>\n"
        if !card.reasons.isEmpty, card.image != nil {
            html += "<ul class=\"reasons\">" + card.reasons.map { "<li>\(escape($0))</li>" }.joined() + "</ul>\n"
        }
        if !card.bubbles.isEmpty {
            html += "<ul class=\"bubbles\">"
            for line in card.bubbles {
                html += "<li class=\"\(escape(line.kind))\">"
                if let speaker = line.speaker { html += "<b>\(escape(speaker))</b> " }
                else if line.kind != "speech" { html += "<b>\(escape(line.kind.uppercased()))</b> " }
                html += "\(escape(line.text))</li>"
            }
            html += "</ul>\n"
        }
        if let theme = card.theme { html += "<p class=\"theme\">Theme: \(escape(theme))</p>\n" }
        if let prompt = card.prompt {
            html += "<details><summary>Image prompt</summary><p>\(escape(prompt))</p>"
            if let negative = card.negativePrompt { html += "<p class=\"negative\">Negative: \(escape(negative))</p>" }
            html += "</details>\n"
        }
        html += "</article>\n"
        return html
    }

    // MARK: - Index of chapters

    static func index(_ index: GalleryIndex) -> String {
        var html = head(title: "panelproc gallery")
        html += "<body>\n<header><h1>Chapters</h1></header>\n<main>\n<table class=\"chapters\">\n"
        html += "<thead><tr><th>Chapter</th><th>File</th><th>Panels</th><th>Status</th><th>Cost</th></tr></thead>\n<tbody>\n"
        for entry in index.entries {
            html += "<tr><td><a href=\"\(href(entry.href))\">\(escape(entry.title))</a></td>"
            html += "<td>\(escape(entry.sourceFile ?? ""))</td><td>\(entry.panels)</td><td>"
            html += PanelStatus.allCases.compactMap { status in
                guard let count = entry.counts[status], count > 0 else { return nil }
                return "<span class=\"badge \(status.rawValue)\">\(count) \(status.rawValue)</span>"
            }.joined(separator: " ")
            html += "</td><td>\(money(entry.costUSD))</td></tr>\n"
        }
        html += "</tbody>\n</table>\n</main>\n</body>\n</html>\n"
        return html
    }

    // MARK: - The summary the index reads back

    static let summaryOpen = "<script type=\"application/json\" id=\"panelproc-summary\">"

    /// The chapter's entry for `generated/index.html`, as JSON inside the chapter page (never run:
    /// not JavaScript, and every `<` escaped), so the index lists chapters from earlier runs too.
    static func summary(_ gallery: GalleryChapter) -> String {
        let json = JSONValue.object([
            ("title", .string(gallery.title)), ("source_file", .optional(gallery.sourceFile)),
            ("panels", .int(gallery.panelCount)),
            ("counts", .object(gallery.counts.map { ($0.status.rawValue, .int($0.count)) })),
            ("cost_usd", .double(gallery.costUSD)),
        ]).compact()
        return summaryOpen + json.replacingOccurrences(of: "<", with: "\\u003c") + "</script>\n"
    }

    /// Reads a chapter page's summary back; nil for a page panelproc did not write.
    static func readSummary(_ html: String, href: String) -> GalleryIndex.Entry? {
        // Searched as bytes from the end, where the page puts it: a chapter of a thousand panels is
        // a megabyte of HTML, and searching it as a String took longer than writing it.
        var html = html
        let json: String? = html.withUTF8 { bytes in
            let open = Array(summaryOpen.utf8), close = Array("</script>".utf8)
            func last(_ needle: [UInt8], before limit: Int) -> Int? {
                var index = limit - needle.count
                while index >= 0 {
                    if bytes[index] == needle[0], memcmp(bytes.baseAddress! + index, needle, needle.count) == 0 { return index }
                    index -= 1
                }
                return nil
            }
            guard let opening = last(open, before: bytes.count) else { return nil }
            let start = opening + open.count
            var closing = start
            while closing + close.count <= bytes.count, memcmp(bytes.baseAddress! + closing, close, close.count) != 0 { closing += 1 }
            guard closing + close.count <= bytes.count else { return nil }
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<closing]), as: UTF8.self)
        }
        guard let json, let parsed = try? JSONValue.parse(json), let members = parsed.members
        else { return nil }
        let fields = Dictionary(members, uniquingKeysWith: { first, _ in first })
        guard let title = fields["title"]?.string else { return nil }
        var counts: [PanelStatus: Int] = [:]
        for (key, value) in fields["counts"]?.members ?? [] {
            if let status = PanelStatus(rawValue: key) { counts[status] = value.integer ?? 0 }
        }
        return GalleryIndex.Entry(title: title, href: href, sourceFile: fields["source_file"]?.string,
                                  panels: fields["panels"]?.integer ?? 0, counts: counts, costUSD: fields["cost_usd"]?.number ?? 0)
    }

    // MARK: - Shared parts

    private static func head(title: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta http-equiv="Content-Security-Policy" content="\(contentSecurityPolicy)">
        <meta name="referrer" content="no-referrer">
        <meta name="color-scheme" content="light dark">
        <title>\(escape(title))</title>
        <style>\(style)</style>
        </head>

        """
    }

    /// Nothing from the network; images from the page's own folder; styles inline; only the
    /// gallery's own script (by hash), so even text that escaped escaping could not run.
    static var contentSecurityPolicy: String {
        "default-src 'none'; img-src 'self' file: data:; style-src 'unsafe-inline'; script-src 'sha256-\(scriptHash)'; "
            + "base-uri 'none'; form-action 'none'"
    }

    static let scriptHash: String = {
        let hex = SHA256.hex(script)
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            bytes.append(UInt8(hex[index..<next], radix: 16) ?? 0)
            index = next
        }
        return Data(bytes).base64EncodedString()
    }()

    static let style = """
    :root{--bg:#fafafa;--fg:#1d1d1f;--muted:#60646c;--card:#fff;--line:#d9dbe0;--passed:#1f7a3a;--failed:#b3261e;\
    --forced:#a15c00;--stale:#5b4db0;--skipped:#6b6f76}
    @media (prefers-color-scheme: dark){:root{--bg:#141518;--fg:#e8e9ec;--muted:#a2a6ae;--card:#1e2024;--line:#363a41;\
    --passed:#5cc27a;--failed:#ff7b72;--forced:#f0a64a;--stale:#a99bff;--skipped:#9aa0a8}}
    body{margin:0 auto;max-width:1400px;padding:1rem 1.5rem 3rem;background:var(--bg);color:var(--fg);\
    font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif}
    a{color:inherit}h1{margin:.2rem 0}h2{border-bottom:1px solid var(--line);padding-bottom:.2rem;margin-top:2rem}
    .crumbs,.source,.cost,.themes,.meta,.where{color:var(--muted)}
    .counts{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.4rem}
    .badge{display:inline-block;padding:.05rem .5rem;border-radius:1rem;border:1px solid currentColor;font-size:.85em;font-weight:600}
    .passed .badge.passed,.badge.passed{color:var(--passed)}.badge.failed{color:var(--failed)}.badge.forced{color:var(--forced)}
    .badge.stale{color:var(--stale)}.badge.skipped{color:var(--skipped)}
    .downloads a,.layout{margin-right:.6rem;font-size:.9em}
    .cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(300px,1fr));gap:1rem}
    .card{background:var(--card);border:1px solid var(--line);border-top:4px solid var(--skipped);border-radius:6px;padding:.6rem}
    .card.passed{border-top-color:var(--passed)}.card.failed{border-top-color:var(--failed)}
    .card.forced{border-top-color:var(--forced)}.card.stale{border-top-color:var(--stale)}
    .card h3{font-size:1rem;margin:.4rem 0 .2rem}.id{font-family:ui-monospace,monospace;color:var(--muted)}
    .thumb img{display:block;width:100%;height:auto;border:1px solid var(--line);background:#fff}
    .placeholder{aspect-ratio:3/2;display:flex;flex-direction:column;justify-content:center;padding:.8rem;box-sizing:border-box;\
    border:2px dashed var(--failed);color:var(--failed);background:repeating-linear-gradient(45deg,transparent 0 10px,\
    rgba(127,127,127,.12) 10px 20px);overflow:auto}
    .card.skipped .placeholder{border-color:var(--skipped);color:var(--skipped)}
    .placeholder ul,.reasons{margin:.3rem 0;padding-left:1.1rem;font-size:.9em}.reasons{color:var(--forced)}
    .bubbles{list-style:none;padding:0;margin:.4rem 0}.bubbles li{margin:.15rem 0}
    .bubbles .caption,.bubbles .sfx,.bubbles .title{font-style:italic}
    details{font-size:.9em;color:var(--muted)}summary{cursor:pointer}
    table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid var(--line);padding:.4rem;text-align:left}
    #lightbox{position:fixed;inset:0;background:rgba(0,0,0,.85);display:flex;align-items:center;justify-content:center;z-index:9}
    #lightbox img{max-width:95vw;max-height:95vh;background:#fff}
    """

    /// Conveniences only: click a thumbnail for a lightbox (Escape closes, arrows step through the
    /// chapter); `j`/`k` jump between cards. Links work without it.
    static let script = """
    (function(){var t=[].slice.call(document.querySelectorAll('a.thumb')),b=null,i=-1;
    function show(n){if(n<0||n>=t.length)return;i=n;if(!b){b=document.createElement('div');b.id='lightbox';
    b.appendChild(document.createElement('img'));b.addEventListener('click',close);document.body.appendChild(b);}
    b.firstChild.src=t[i].getAttribute('href');b.style.display='flex';}
    function close(){if(b)b.style.display='none';i=-1;}
    t.forEach(function(a,n){a.addEventListener('click',function(e){e.preventDefault();show(n);});});
    document.addEventListener('keydown',function(e){if(i>=0){if(e.key==='Escape')close();
    else if(e.key==='ArrowRight')show(i+1);else if(e.key==='ArrowLeft')show(i-1);return;}
    if(e.key==='j'||e.key==='k'){var c=[].slice.call(document.querySelectorAll('article.card')),y=window.scrollY+5,
    n=e.key==='j'?c.find(function(x){return x.offsetTop>y;}):c.reverse().find(function(x){return x.offsetTop<y-10;});
    if(n)window.scrollTo(0,n.offsetTop);}});})();
    """
}

extension String {
    func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
