/// The offline engine for the `continuity` template. What that template asks for (what a
/// character knows, feels, carries and owes) needs a reader; the built-in engine has no honest
/// way to judge it, so it answers, deterministically, with no alerts. The deterministic rules
/// (`Continuity/*Rule.swift`) run with or without it; set `provider: openai` for the model pass
/// to find anything.
enum OfflineContinuity {
    static func answer(_ variables: JSONValue) -> JSONValue {
        .object([("alerts", .array([]))])
    }
}
