public import Configuration

/// Cuts one whole input — a spool file, a file given to `flightedge parse` — into frames, the
/// way a feed with `framing` does: with `file` framing the input is one frame (over
/// `maxFrameBytes` it is refused, its first bytes kept for the operator; empty, it is none);
/// otherwise the framer runs over it to its end.
public enum WholeInputFraming {
    public static func frames(
        of bytes: some Collection<UInt8>, framing: Framing, maxFrameBytes: Int
    ) -> (outputs: [FramerOutput], skippedBytes: Int64) {
        if framing == .file {
            let size = Int64(bytes.count)
            if bytes.count > maxFrameBytes {
                return ([.oversize(prefix: Array(bytes.prefix(keptPrefixBytes)), offset: 0, length: size, end: size)], 0)
            }
            return (bytes.isEmpty ? [] : [.frame(bytes: Array(bytes), offset: 0, end: size)], 0)
        }
        var outputs: [FramerOutput] = []
        var framer = makeFramer(framing, maxFrameBytes: maxFrameBytes)
        framer.consume(bytes, into: &outputs)
        framer.finish(into: &outputs)
        return (outputs, framer.skippedBytes)
    }
}
