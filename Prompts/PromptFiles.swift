import Foundation

/// Where the bundled `<stage>.yml` prompt templates are installed.
public enum PromptFiles {
    public static var folder: URL? { Bundle.module.resourceURL }
}
