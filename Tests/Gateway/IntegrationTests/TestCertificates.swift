import FlightEdgeTestSupport
import Foundation

/// A throwaway PKI made with openssl for one test: a CA, a server certificate for 127.0.0.1
/// and localhost, a client certificate, and an unrelated CA that signed neither.
struct TestCertificates {
    let folder: URL
    var caFile: String { path("ca.pem") }
    var serverCertificate: String { path("server.pem") }
    var serverKey: String { path("server.key") }
    var clientCertificate: String { path("client.pem") }
    var clientKey: String { path("client.key") }
    /// A CA that signed nothing here: trusting it alone must fail the handshake.
    var untrustedCAFile: String { path("untrusted-ca.pem") }

    init() throws {
        folder = URL(fileURLWithPath: try TestServices.environment("FLIGHTEDGE_TEST_SCRATCH"))
            .appendingPathComponent("pki").appendingPathComponent(UUID().uuidString.prefix(8).lowercased())
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let curve = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try openssl(["req", "-x509"] + curve + ["-keyout", path("ca.key"), "-out", caFile, "-days", "2", "-subj", "/CN=FlightEdge Test CA"])
        try openssl(
            ["req", "-x509"] + curve
                + ["-keyout", path("untrusted-ca.key"), "-out", untrustedCAFile, "-days", "2", "-subj", "/CN=Somebody Else's CA"])
        try "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n"
            .write(to: folder.appendingPathComponent("server.ext"), atomically: true, encoding: .utf8)
        try "extendedKeyUsage=clientAuth\n".write(to: folder.appendingPathComponent("client.ext"), atomically: true, encoding: .utf8)
        for (name, subject) in [("server", "/CN=localhost"), ("client", "/CN=flightedge")] {
            try openssl(["req"] + curve + ["-keyout", path("\(name).key"), "-out", path("\(name).csr"), "-subj", subject])
            try openssl([
                "x509", "-req", "-in", path("\(name).csr"), "-CA", caFile, "-CAkey", path("ca.key"), "-CAcreateserial",
                "-out", path("\(name).pem"), "-days", "2", "-extfile", path("\(name).ext"),
            ])
        }
    }

    private func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    private func openssl(_ arguments: [String]) throws {
        let log = path("openssl.log")
        let child = try ChildProcess("/usr/bin/openssl", arguments, log: log)
        guard child.wait(seconds: 30), child.exitCode == 0 else {
            let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            throw CertificateError(message: "openssl \(arguments.joined(separator: " ")) failed:\n\(output)")
        }
    }

    struct CertificateError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }
}
