import Foundation

/// What the writer asked for: the premise and its settings, kept in `<chapter>.draft/request.json`
/// so a rerun (or `--choose`) needs only the chapter's path.
public struct DraftRequest: Sendable, Equatable {
    public var premise: String
    public var title: String
    public var pages: Int
    public var audience: String
    public var tone: String
    /// Empty when the chapter teaches nothing in particular.
    public var teachingPoint: String

    public static let pageRange = 1...30

    public init(premise: String, title: String, pages: Int, audience: String = "", tone: String = "", teachingPoint: String = "") {
        self.premise = premise
        self.title = title
        self.pages = pages
        self.audience = audience
        self.tone = tone
        self.teachingPoint = teachingPoint
    }

    var json: JSONValue {
        .object([
            ("schema_version", .int(1)), ("premise", .string(premise)), ("title", .string(title)), ("pages", .int(pages)),
            ("audience", .string(audience)), ("tone", .string(tone)), ("teaching_point", .string(teachingPoint)),
        ])
    }

    /// Reads `request.json`; errors name the file.
    static func read(_ value: JSONValue, file: String) throws(InputError) -> DraftRequest {
        guard let premise = value["premise"]?.string, let title = value["title"]?.string, let pages = value["pages"]?.integer,
              pageRange.contains(pages)
        else {
            throw InputError(file: file, message: "is not a draft request (premise, title, pages 1-30)",
                             hint: "remove the file and run `panelproc draft \"premise\" --title T --pages N -o <chapter>.md` again")
        }
        return DraftRequest(premise: premise, title: title, pages: pages, audience: value["audience"]?.string ?? "",
                            tone: value["tone"]?.string ?? "", teachingPoint: value["teaching_point"]?.string ?? "")
    }
}
