internal import CJemalloc

/// jemalloc, the daemon's allocator (linked through CJemalloc, settings in its `settings.c`),
/// as far as the daemon asks it anything: what it is, and to give freed pages back.
///
/// Why not glibc's: on the 5,500-flight day glibc's `malloc` and `free` were 12 % of the
/// daemon's CPU samples; with jemalloc the daemon's CPU per update fell by about a fifth
/// (0.79–0.81× in alternating pairs, docs/PERFORMANCE.md, fifteenth round).
enum Jemalloc {
    /// jemalloc's version ("5.3.0-0-g…"), or nil when its controls do not answer.
    static var version: String? {
        var value: UnsafePointer<CChar>?
        guard read("version", into: &value), let value else { return nil }
        return String(cString: value)
    }

    /// Arenas the threads share (`narenas:1` in the built-in settings unless MALLOC_CONF says
    /// otherwise); blocks of 8 MB and more come from one more arena of their own.
    static var arenas: Int? {
        var value: UInt32 = 0
        return read("opt.narenas", into: &value) ? Int(value) : nil
    }

    /// The settings built into the daemon; `MALLOC_CONF` in its environment applies on top.
    static var builtInSettings: String { String(cString: flightedge_jemalloc_settings()) }

    /// Bytes the calling thread allocated so far (jemalloc's statistics): what shows that
    /// `malloc` here is jemalloc's and not glibc's.
    static var allocatedByThisThread: UInt64? {
        var value: UInt64 = 0
        return read("thread.allocated", into: &value) ? value : nil
    }

    /// Pages freed by the program and still held by jemalloc (all arenas), as of now.
    static var dirtyPages: Int? {
        // Statistics are a snapshot taken when the epoch advances.
        var epoch: UInt64 = 1
        guard mallctl("epoch", nil, nil, &epoch, MemoryLayout<UInt64>.size) == 0 else { return nil }
        var value = 0
        return read("stats.arenas.\(allArenas).pdirty", into: &value) ? value : nil
    }

    /// Gives every freed page back to the kernel at once; false if jemalloc refused.
    @discardableResult
    static func purge() -> Bool {
        mallctl("arena.\(allArenas).purge", nil, nil, nil, 0) == 0
    }

    /// `MALLCTL_ARENAS_ALL`: a control name's arena index for every arena at once.
    private static let allArenas = 4096

    private static func read<Value>(_ name: String, into value: inout Value) -> Bool {
        var size = MemoryLayout<Value>.size
        return withUnsafeMutablePointer(to: &value) { mallctl(name, $0, &size, nil, 0) } == 0
    }
}
