/// panelproc's version, shown by `--version`.
public enum PanelKitVersion {
    public static let string = "0.1.0"
}
