/// Reviews a finished panel: the writer's dialogue survives in the bubbles, the teaching point
/// and the shot reach the image prompt, and the rewrite is not empty.
enum OfflineChecklist {
    static func answer(_ variables: JSONValue) -> JSONValue {
        func value(_ key: String) -> String { (variables[key]?.string ?? "").trimmingWhitespace() }
        var items: [JSONValue] = []
        func item(_ id: String, _ passed: Bool, blocker: Bool, _ note: String) {
            items.append(.object([("id", .string(id)), ("passed", .bool(passed)), ("blocker", .bool(blocker)), ("note", .string(note))]))
        }
        let bubbleTexts = Set((variables["bubbles"]?.array ?? []).map { TextTools.words($0["text"]?.string ?? "") })
        let lost = (variables["dialogue"]?.array ?? []).compactMap { line -> String? in
            let text = line["text"]?.string ?? ""
            return bubbleTexts.contains(TextTools.words(text)) ? nil : text
        }
        item("dialogue_kept", lost.isEmpty, blocker: true,
             lost.isEmpty ? "every line of dialogue is in a bubble" : "missing from the bubbles: \(lost.map { "\"\($0)\"" }.joined(separator: ", "))")
        let prompt = value("image_prompt")
        let teachingPoint = value("teaching_point")
        if !teachingPoint.isEmpty {
            let shown = TextTools.containsPhrase(prompt, teachingPoint)
            item("teaching_point_visual", shown, blocker: false,
                 shown ? "the teaching point is in the image prompt as a visual idea" : "the image prompt does not carry the teaching point")
        }
        let shot = value("shot")
        if !shot.isEmpty {
            let framed = TextTools.containsPhrase(prompt, shot.replacingOccurrences(of: "-", with: " "))
            item("shot_in_prompt", framed, blocker: false, framed ? "the prompt frames the \(shot) shot" : "the prompt does not mention the \(shot) framing")
        }
        item("rewrite_present", !value("rewrite").isEmpty, blocker: false, value("rewrite").isEmpty ? "the rewrite is empty" : "the scene was rewritten")
        return .object([("items", .array(items))])
    }
}
