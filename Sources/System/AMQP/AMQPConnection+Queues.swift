internal import CRabbitMQ

extension AMQPConnection {
    /// Declares a durable queue (a quorum queue, replicated on a majority of nodes, when `quorum`);
    /// nothing happens when it exists with the same arguments. Needs the configure permission.
    public func declareQueue(_ name: String, quorum: Bool) throws(AMQPError) {
        let reply = flightedge_amqp_declare_queue(state, channel, name, quorum ? 1 : 0)
        try check(reply, "declaring queue '\(name)'")
    }

    /// Binds `queue` to `exchange` for `routingKey` (a pattern on a topic exchange).
    public func bindQueue(_ queue: String, exchange: String, routingKey: String) throws(AMQPError) {
        queue.withCString { queueName in
            exchange.withCString { exchangeName in
                routingKey.withCString { key in
                    _ = amqp_queue_bind(
                        state, channel, amqp_cstring_bytes(queueName), amqp_cstring_bytes(exchangeName),
                        amqp_cstring_bytes(key), amqp_empty_table)
                }
            }
        }
        try check(amqp_get_rpc_reply(state), "binding queue '\(queue)' to '\(exchange)' with '\(routingKey)'")
    }

    /// Deletes a queue and the messages in it. Returns how many messages it held.
    @discardableResult
    public func deleteQueue(_ name: String) throws(AMQPError) -> Int {
        let ok = name.withCString { queueName in
            amqp_queue_delete(state, channel, amqp_cstring_bytes(queueName), 0, 0)
        }
        try check(amqp_get_rpc_reply(state), "deleting queue '\(name)'")
        return Int(ok?.pointee.message_count ?? 0)
    }
}
