import FlightEdgeTestSupport
import Foundation
import Testing

/// Issue 18, item 11: the shipped broker's WebSockets listener was plain text on every
/// interface. It now listens on the screens' network address only and speaks TLS (wss://); the test
/// broker rendered from the same file still serves plain ws on loopback.
@Suite("The shipped broker's listeners")
struct ShippedBrokerListenersTests {
    /// The lines of each `# listener: NAME` … `# end listener` block of `text`.
    static func blocks(_ text: String) -> [String: [String]] {
        var blocks: [String: [String]] = [:]
        var current: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.hasPrefix("# listener: ") {
                current = String(line.dropFirst("# listener: ".count))
            } else if line.hasPrefix("# end listener") {
                current = nil
            } else if let name = current, !line.hasPrefix("#") {
                blocks[name, default: []].append(line)
            }
        }
        return blocks
    }

    @Test func theWebSocketsListenerBindsANamedInterfaceWithTLS() throws {
        let shipped = try String(
            contentsOf: Repository.root.appendingPathComponent("conf/mosquitto/flightedge.conf"), encoding: .utf8)
        let websockets = try #require(Self.blocks(shipped)["websockets"])
        // An address and socket_domain ipv4: mosquitto 2.0.11 ignores both the address alone and
        // bind_interface for websockets (BrokerClientIDTakeoverTests checks the bound socket).
        #expect(websockets.contains { $0.hasPrefix("listener 9001 ") && $0 != "listener 9001" }, "\(websockets)")
        #expect(websockets.contains("socket_domain ipv4"), "\(websockets)")
        #expect(websockets.contains { $0.hasPrefix("certfile ") } && websockets.contains { $0.hasPrefix("keyfile ") })
        #expect(websockets.contains("tls_version tlsv1.2"))
        let loopback = try #require(Self.blocks(shipped)["loopback"])
        #expect(loopback.contains("listener 1883 127.0.0.1"))

        let render = Process()
        render.executableURL = Repository.root.appendingPathComponent("scripts/render-mosquitto-conf")
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("render-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        render.arguments = [scratch.path, "51999", "52999"]
        let output = Pipe()
        render.standardOutput = output
        try render.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        render.waitUntilExit()
        #expect(render.terminationStatus == 0)
        let rendered = try #require(Self.blocks(text)["websockets"])
        #expect(rendered.contains("listener 52999 127.0.0.1") && rendered.contains("socket_domain ipv4"))
        #expect(!rendered.contains { $0.hasPrefix("bind_interface") || $0.hasPrefix("certfile") }, "\(rendered)")
    }
}
