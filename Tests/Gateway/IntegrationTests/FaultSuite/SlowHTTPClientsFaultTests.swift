import FlightEdgeTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Issue 18, item 8: one header byte every 10 s kept 1,000 connections to the operations
/// endpoint open past its idle timeout, until `/healthz` timed out at the descriptor limit.
/// Now a request head must be complete within 10 s, and the endpoint holds a bounded number
/// of connections, so descriptors stay for the pipeline.
@Suite("Fault suite: slow HTTP clients")
struct SlowHTTPClientsFaultTests {
    @Test func slowHeadersAreCutAndHealthStillAnswers() async throws {
        try await withDaemon { daemon in
            var slow: [Int32] = []
            for _ in 0..<200 {
                let descriptor = try Loopback.connect(port: daemon.httpPort)
                try Loopback.writeAll(descriptor, Array("GET /healthz HTTP/1.1\r\nX".utf8))
                slow.append(descriptor)
            }
            let started = ContinuousClock.now
            // A header byte every 2 s: an idle timer would be reset each time.
            var open = slow
            while !open.isEmpty && ContinuousClock.now - started < .seconds(20) {
                #expect(try daemon.http("/healthz").status == 200, "health answers beside 200 slow clients")
                for descriptor in open { _ = withUnsafePointer(to: UInt8(ascii: "x")) { send(descriptor, $0, 1, Int32(MSG_NOSIGNAL)) } }
                try await Task.sleep(for: .seconds(2))
                open = open.filter { !HostilePeersFaultTests.isClosedByPeer($0) }
            }
            let lasted = ContinuousClock.now - started
            #expect(open.isEmpty, "\(open.count) slow clients still connected after \(lasted)")
            #expect(lasted < .seconds(16), "slow headers are cut after 10 s, not held: \(lasted)")
            for descriptor in slow { close(descriptor) }
            #expect(daemon.log.contains("max_connections="), "the endpoint's connection cap is logged")
            print("fault suite, slow HTTP clients: 200 clients trickling a header byte every 2 s all closed after \(lasted); /healthz answered 200 throughout")
            #expect(daemon.stop() == 0)
        }
    }
}
