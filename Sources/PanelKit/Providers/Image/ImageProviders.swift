/// Builds the configured image provider (`image_provider` in panelproc.yml, or `--images`).
public enum ImageProviders {
    /// nil for `none`: the run makes no images and writes no image lines.
    public static func make(_ configuration: Configuration, environment: [String: String]) throws(InputError) -> (any ImageProvider)? {
        switch configuration.imageProvider {
        case "none":
            return nil
        default:
            throw InputError(file: configuration.file ?? "panelproc.yml",
                             message: "image provider `\(configuration.imageProvider)` is not available in this build",
                             hint: "set `image_provider: none`")
        }
    }
}
