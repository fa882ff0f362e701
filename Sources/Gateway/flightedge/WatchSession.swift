import Foundation
import MQTT

/// The broker connection behind `flightedge watch`: connects as one user, subscribes under the
/// airport's root, and reports what happens to it. A broker that refuses the user, or that
/// cannot be reached within `connectTimeout`, ends the session with a ``Failure``; a
/// connection lost later is retried (libmosquitto's backoff) and reported both ways.
struct WatchSession {
    var host: String
    var port: Int
    var caFile: String?
    var username: String
    var password: String?
    /// `{prefix}/{IATA}`.
    var root: String
    var includeState: Bool
    var connectTimeout: Duration

    /// What happened, in order.
    enum Report {
        /// Connected and subscribed; `again` after a lost connection.
        case connected(again: Bool)
        /// The connection was lost; libmosquitto is reconnecting.
        case lost(reason: String)
        case message(MQTTMessage)
    }

    /// Why the session ended, as a sentence an operator can act on.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private enum Step: Sendable {
        case mqtt(MQTTEvent)
        case deadline
    }

    /// Runs until `report` throws, the task is cancelled, or the broker refuses or stays out of reach.
    func run(_ report: (Report) throws -> Void) async throws {
        var settings = MQTTClient.Configuration(clientID: "flightedge-watch-\(UUID().uuidString.prefix(6))")
        settings.username = username
        settings.password = password
        settings.caFile = caFile
        settings.maxReconnectDelay = 5
        let (steps, continuation) = AsyncStream.makeStream(of: Step.self)
        let client = try MQTTClient(configuration: settings) { continuation.yield(.mqtt($0)) }
        let timer = Task {
            try await Task.sleep(for: connectTimeout)
            continuation.yield(.deadline)
        }
        defer {
            timer.cancel()
            client.stop()
        }
        let broker = "\(host):\(port)"
        try client.start(host: host, port: port)
        var connected = false
        var everConnected = false
        var lastProblem: String?
        for await step in steps {
            switch step {
            case .mqtt(.connected(0, _)):
                _ = try client.subscribe("\(root)/events/#", qos: 1)
                _ = try client.subscribe("\(root)/status", qos: 1)
                if includeState { _ = try client.subscribe("\(root)/flights/#", qos: 0) }
                try report(.connected(again: everConnected))
                connected = true
                everConnected = true
            case .mqtt(.connected(_, let reason)):
                throw Failure(description: "the broker at \(broker) refused user \(username): \(reason)")
            case .mqtt(.disconnected(_, let reason)):
                if connected {
                    connected = false
                    try report(.lost(reason: reason))
                } else {
                    lastProblem = reason
                }
            case .mqtt(.libraryError(let text)):
                lastProblem = text
            case .mqtt(.subscribed(_, let granted)) where granted.contains(where: { $0 >= 128 }):
                throw Failure(description: "the broker at \(broker) refused user \(username) a subscription under \(root)/")
            case .mqtt(.message(let message)):
                try report(.message(message))
            case .deadline where !everConnected:
                let seconds = connectTimeout.components.seconds
                throw Failure(
                    description: "no connection to the broker at \(broker) within \(seconds) s"
                        + (lastProblem.map { " (\($0))" } ?? "") + ": is it running, and is mqtt.host/port right?")
            default:
                break
            }
        }
    }
}
