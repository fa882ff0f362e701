#if canImport(Glibc)
import Glibc
#endif
internal import CRabbitMQ

extension AMQPConnection {
    /// Turns an RPC reply into nothing (success) or a typed error naming what was being done.
    func check(_ reply: amqp_rpc_reply_t, _ doing: String) throws(AMQPError) {
        switch reply.reply_type {
        case AMQP_RESPONSE_NORMAL:
            return
        case AMQP_RESPONSE_LIBRARY_EXCEPTION:
            let status = reply.library_error
            let code: AMQPError.Code
            switch status {
            case AMQP_STATUS_TIMEOUT.rawValue: code = .timedOut
            case AMQP_STATUS_SOCKET_ERROR.rawValue, AMQP_STATUS_CONNECTION_CLOSED.rawValue,
                AMQP_STATUS_SOCKET_CLOSED.rawValue, AMQP_STATUS_HEARTBEAT_TIMEOUT.rawValue, AMQP_STATUS_SSL_ERROR.rawValue:
                code = .connectionClosed
            default: code = .protocolError
            }
            throw AMQPError(code: code, message: "\(endpoint): \(doing): \(Self.text(status))", libraryStatus: status)
        case AMQP_RESPONSE_SERVER_EXCEPTION:
            throw closeError(method: reply.reply, doing: doing)
        default:
            throw AMQPError(code: .protocolError, message: "\(endpoint): \(doing): no reply from rabbitmq-c")
        }
    }

    /// The error for a channel.close or connection.close the broker sent.
    func closeError(method: amqp_method_t, doing: String) -> AMQPError {
        let replyCode: Int
        let text: String
        let byConnection = method.id == flightedge_amqp_method_connection_close()
        if byConnection, let close = method.decoded?.assumingMemoryBound(to: amqp_connection_close_t.self) {
            replyCode = Int(close.pointee.reply_code)
            text = Self.string(close.pointee.reply_text)
        } else if method.id == flightedge_amqp_method_channel_close(),
            let close = method.decoded?.assumingMemoryBound(to: amqp_channel_close_t.self)
        {
            replyCode = Int(close.pointee.reply_code)
            text = Self.string(close.pointee.reply_text)
        } else {
            return AMQPError(
                code: .protocolError, message: "\(endpoint): \(doing): unexpected method 0x\(String(method.id, radix: 16))")
        }
        let code: AMQPError.Code
        switch replyCode {
        case 403: code = .accessRefused
        case 404: code = .notFound
        default: code = byConnection ? .connectionClosed : .channelClosed
        }
        return AMQPError(code: code, message: "\(endpoint): \(doing): the broker said \(replyCode) \(text)", replyCode: replyCode)
    }

    /// Reads one frame that is not a delivery: publisher confirms are recorded, a cancel or a
    /// close is thrown. Returns false when no frame came within `timeout`.
    @discardableResult
    func readFrame(timeout: Duration) throws(AMQPError) -> Bool {
        var frame = amqp_frame_t()
        var wait = Self.timeval(timeout)
        let status = amqp_simple_wait_frame_noblock(state, &frame, &wait)
        if status == AMQP_STATUS_TIMEOUT.rawValue { return false }
        guard status == 0 else {
            throw AMQPError(
                code: .connectionClosed, message: "\(endpoint): reading from the broker: \(Self.text(status))",
                libraryStatus: status)
        }
        guard frame.frame_type == UInt8(AMQP_FRAME_METHOD) else { return true }
        let method = frame.payload.method
        switch method.id {
        case flightedge_amqp_method_basic_ack():
            if let ack = method.decoded?.assumingMemoryBound(to: amqp_basic_ack_t.self) {
                confirms.acknowledge(ack.pointee.delivery_tag, multiple: ack.pointee.multiple != 0, refused: false)
            }
        case flightedge_amqp_method_basic_nack():
            if let nack = method.decoded?.assumingMemoryBound(to: amqp_basic_nack_t.self) {
                confirms.acknowledge(nack.pointee.delivery_tag, multiple: nack.pointee.multiple != 0, refused: true)
            }
        case flightedge_amqp_method_basic_cancel():
            throw AMQPError(
                code: .consumerCancelled,
                message: "\(endpoint): the broker cancelled the consumer (queue deleted or moved); subscribe again")
        case flightedge_amqp_method_channel_close(), flightedge_amqp_method_connection_close():
            throw closeError(method: method, doing: "on channel \(channel)")
        default:
            // connection.blocked/unblocked (memory or disk alarm) and anything else: nothing to do here.
            break
        }
        return true
    }

    static func text(_ status: Int32) -> String {
        String(cString: amqp_error_string2(status))
    }

    static func string(_ bytes: amqp_bytes_t) -> String {
        guard bytes.len > 0, let base = bytes.bytes else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: base, count: bytes.len), as: UTF8.self)
    }

    static func bytes(_ bytes: amqp_bytes_t) -> [UInt8] {
        guard bytes.len > 0, let base = bytes.bytes else { return [] }
        return Array(UnsafeRawBufferPointer(start: base, count: bytes.len))
    }

    static func timeval(_ duration: Duration) -> timeval {
        let (seconds, attoseconds) = duration.components
        return Glibc.timeval(tv_sec: Int(max(0, seconds)), tv_usec: Int(max(0, attoseconds) / 1_000_000_000_000))
    }
}
