import Foundation
import NIOSSL

extension NIOSSLContext {
    /// The server side of the benchmark's sinks: `server.pem` and `server.key` of the stand-ins'
    /// TLS folder (signed by their local CA, which the relay under test trusts).
    static func sinkServer(tlsFolder: URL) throws -> NIOSSLContext {
        let configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(tlsFolder.appendingPathComponent("server.pem").path)
                .map { .certificate($0) },
            privateKey: .privateKey(
                try NIOSSLPrivateKey(file: tlsFolder.appendingPathComponent("server.key").path, format: .pem)))
        return try NIOSSLContext(configuration: configuration)
    }
}
