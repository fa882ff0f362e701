/// The stylesheet and the script every board page loads: shipped in the package as text,
/// no build step, nothing from a CDN.
public enum BoardAssets {
    /// The asset at `/board/assets/{name}`, with its content type; nil for an unknown name.
    public static func asset(named name: String) -> (contentType: String, body: String)? {
        switch name {
        case "board.css": ("text/css; charset=utf-8", stylesheet)
        case "board.js": ("text/javascript; charset=utf-8", script)
        default: nil
        }
    }
}
