import AMQP
import NIOCore
import NIOPosix

/// The AMQP connection of one `amqp` feed on a thread of its own (rabbitmq-c blocks and is not
/// thread-safe): connect and consume, read what the broker sent, acknowledge what committed.
///
/// `@unchecked Sendable`: `connection` is only touched by work submitted to `loop`, one piece
/// at a time, on the loop's one thread.
final class AMQPQueueSession: @unchecked Sendable {
    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    private let loop: any EventLoop
    private var connection: AMQPConnection?

    init() {
        loop = group.next()
    }

    /// Connects to the first of `endpoints` that accepts, from `start` on (wrapping around), and
    /// subscribes to `queue` with manual acknowledgements and a window of `prefetch` messages.
    /// Returns the node's address for the log and its index in `endpoints`.
    func connect(
        toFirstOf endpoints: [AMQPEndpoint], startingAt start: Int = 0, settings: AMQPConnection.Settings, queue: String,
        prefetch: UInt16
    ) async throws -> (node: String, index: Int) {
        try await loop.submit { () throws -> (node: String, index: Int) in
            self.connection?.close()
            self.connection = nil
            let (connection, index) = try AMQPConnection.connect(toFirstOf: endpoints, startingAt: start, settings: settings)
            do {
                try connection.consume(queue: queue, prefetch: prefetch)
            } catch {
                connection.close()
                throw error
            }
            self.connection = connection
            return ("\(connection.endpoint)", index)
        }.get()
    }

    /// Acknowledges `acks`, then reads up to `maxCount` deliveries: waits up to `wait` for the
    /// first, takes the others only if they are already there. Throws when the connection or
    /// the consumer is gone (the connection is then closed: the broker requeues what it had not
    /// been told about).
    func exchange(acknowledging acks: ClosedRange<UInt64>?, maxCount: Int, wait: Duration) async throws -> [AMQPDelivery] {
        try await loop.submit { () throws -> [AMQPDelivery] in
            guard let connection = self.connection else { throw AMQPError(code: .connectionClosed, message: "not connected") }
            do {
                if let acks { for tag in acks { try connection.ack(tag) } }
                var deliveries: [AMQPDelivery] = []
                while deliveries.count < maxCount,
                    let delivery = try connection.nextDelivery(timeout: deliveries.isEmpty ? wait : .zero)
                {
                    deliveries.append(delivery)
                }
                return deliveries
            } catch {
                connection.close()
                self.connection = nil
                throw error
            }
        }.get()
    }

    /// Acknowledges `acks` and closes the connection politely; what was not acknowledged goes
    /// back to the queue.
    func close(acknowledging acks: ClosedRange<UInt64>?) async {
        _ = try? await loop.submit {
            if let connection = self.connection, let acks { for tag in acks { try? connection.ack(tag) } }
            self.connection?.close()
            self.connection = nil
        }.get()
    }

    /// Stops the thread (after ``close(acknowledging:)``).
    func shutdown() {
        group.shutdownGracefully { _ in }
    }
}
