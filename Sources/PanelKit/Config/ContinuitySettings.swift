/// `continuity:` in `panelproc.yml`, and `--strict-continuity`.
///
/// ```yaml
/// continuity:
///   model: true      # also ask the text provider (Prompts/continuity.yml); default false
/// ```
public struct ContinuitySettings: Sendable, Equatable {
    /// Run the model pass after the rules.
    public var model = false
    /// `--strict-continuity`: an open alert of severity high or above fails the run (exit 1).
    public var strict = false

    public init() {}

    static func read(_ field: YAMLFields.Field) throws(InputError) -> ContinuitySettings {
        var settings = ContinuitySettings()
        for part in try field.mapping() {
            switch part.key {
            case "model": settings.model = try part.boolean() ?? settings.model
            default:
                throw InputError(file: field.file, location: part.keyLocation, message: "`continuity` has `model`, not `\(part.key)`",
                                 hint: "continuity:\n  model: true")
            }
        }
        return settings
    }
}
