import MQTTWire

#if canImport(Glibc)
import Glibc
#endif

/// Reads whole MQTT packets from a blocking socket, 64 kB a read, for the tests and the
/// benchmark that talk MQTTWire to a broker directly. The caller owns and closes the socket.
public struct MQTTSocketReader {
    private let socket: Int32
    private let version: MQTTProtocolVersion
    private var buffer: [UInt8] = []
    private var start = 0
    private var scratch = [UInt8](repeating: 0, count: 65_536)

    /// Reads from `socket`, which this sets to give up after `timeoutSeconds` without a byte.
    public init(socket: Int32, version: MQTTProtocolVersion, timeoutSeconds: Int = 10) {
        self.socket = socket
        self.version = version
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    /// The next packet, reading only when no whole one is buffered.
    public mutating func next() throws -> MQTTInboundPacket {
        while true {
            if let packet = try buffered() { return packet }
            try receive()
        }
    }

    /// The next whole packet already read, if any.
    public mutating func buffered() throws -> MQTTInboundPacket? {
        let parsed = try buffer[start...].withUnsafeBytes { try MQTTPacketParser.parse($0, version: version) }
        guard let (packet, length) = parsed else { return nil }
        start += length
        if start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        }
        return packet
    }

    /// One blocking read of whatever the broker sent.
    public mutating func receive() throws {
        if start > 0 {
            buffer.removeFirst(start)
            start = 0
        }
        let received = scratch.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
        guard received > 0 else {
            throw TestSupportError(.connectionFailed, "the broker closed the connection or sent nothing", errno: errno)
        }
        buffer.append(contentsOf: scratch[0..<received])
    }
}
