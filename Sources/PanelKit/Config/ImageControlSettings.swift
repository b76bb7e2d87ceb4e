/// The writer's control over images (docs/images.md): how many candidates each panel gets, and
/// how large a pinned image may be. `image_candidates` and `pin_max_mb` in panelproc.yml;
/// `--candidates N` on the command line.
public struct ImageControlSettings: Sendable, Equatable {
    /// Images made per panel (1…8). With more than one, `images/<id>.cN.png` hold them and
    /// `images/<id>.png` is the chosen one (candidate 1 until `panelproc pick`).
    public var candidates = 1
    /// The largest image `panelproc pin` accepts, in bytes (default 20 MB).
    public var pinMaxBytes = 20 * 1024 * 1024

    public static let candidateRange = 1...8
    /// The keys this struct reads from panelproc.yml.
    static let keys = ["image_candidates", "pin_max_mb"]

    public init() {}

    /// Reads one of `keys`.
    mutating func read(_ field: YAMLFields.Field) throws(InputError) {
        switch field.key {
        case "image_candidates": candidates = try field.integer(in: Self.candidateRange) ?? candidates
        case "pin_max_mb":
            if let megabytes = try field.number(in: 0.001...1024) { pinMaxBytes = Int(megabytes * 1024 * 1024) }
        default: break
        }
    }
}
