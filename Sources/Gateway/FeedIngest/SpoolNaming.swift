/// The spool convention (DESIGN.md §1, "spool-dir"): a sender writes a file under a name the
/// feed leaves alone — a leading dot, or a temporary suffix — and renames it to its final name
/// when it is complete (rename is atomic within one file system). Only final names are read;
/// with `settle_time` also only once the file has not changed for that long, for senders that
/// cannot rename.
public enum SpoolNaming {
    /// Suffixes of files still being written (upload tools, editors, our own convention).
    public static let temporarySuffixes = [".tmp", ".part", ".partial", ".filepart", ".crdownload", ".swp", "~"]

    /// True for a name the feed reads: no leading dot, no temporary suffix, not one of the
    /// feed's own folders.
    public static func isFinal(_ name: String) -> Bool {
        guard !name.hasPrefix("."), name != "done", name != "rejected" else { return false }
        let lowered = name.lowercased()
        return !temporarySuffixes.contains { lowered.hasSuffix($0) }
    }
}
