extension AMQPConnection {
    /// Connects to the first endpoint that accepts, trying each once in order from `start`
    /// (wrapping around). Returns the connection and the index of its endpoint, so the caller can
    /// start from the next one after a failure. Throws an error that names every endpoint's
    /// reason; its code is ``AMQPError/Code/authenticationFailed`` when any node refused the login
    /// (a wrong password does not get better on another node).
    public static func connect(
        toFirstOf endpoints: [AMQPEndpoint], startingAt start: Int = 0, settings: Settings = Settings()
    ) throws(AMQPError) -> (connection: AMQPConnection, index: Int) {
        guard !endpoints.isEmpty else {
            throw AMQPError(code: .invalidURL, message: "no AMQP URL given")
        }
        var failures: [AMQPError] = []
        for offset in 0..<endpoints.count {
            let index = (start + offset) % endpoints.count
            do throws(AMQPError) {
                return (try AMQPConnection(endpoint: endpoints[index], settings: settings), index)
            } catch {
                failures.append(error)
            }
        }
        let code = failures.contains { $0.code == .authenticationFailed } ? AMQPError.Code.authenticationFailed : .connectFailed
        let first = failures.first { $0.code == code } ?? failures[0]
        throw AMQPError(
            code: code, message: "no node accepted: " + failures.map(\.message).joined(separator: "; "),
            replyCode: first.replyCode, libraryStatus: first.libraryStatus)
    }
}
