#ifndef FLIGHTEDGE_CRABBITMQ_SHIM_H
#define FLIGHTEDGE_CRABBITMQ_SHIM_H
// rabbitmq-c 0.11 (Debian 12's librabbitmq-dev). Swift cannot call amqp_login (variadic) nor use
// the method numbers and property flags (macros with casts): they are wrapped here.
#include <amqp.h>
#include <amqp_framing.h>
#include <amqp_tcp_socket.h>
#include <amqp_ssl_socket.h>
#include <sys/time.h>

/// SASL PLAIN login with the library's defaults for channels and frame size.
static inline amqp_rpc_reply_t flightedge_amqp_login_plain(
    amqp_connection_state_t state, const char *vhost, int heartbeat, const char *user, const char *password) {
    return amqp_login(state, vhost, AMQP_DEFAULT_MAX_CHANNELS, AMQP_DEFAULT_FRAME_SIZE, heartbeat,
                      AMQP_SASL_METHOD_PLAIN, user, password);
}

static inline amqp_method_number_t flightedge_amqp_method_basic_deliver(void) { return AMQP_BASIC_DELIVER_METHOD; }
static inline amqp_method_number_t flightedge_amqp_method_basic_ack(void) { return AMQP_BASIC_ACK_METHOD; }
static inline amqp_method_number_t flightedge_amqp_method_basic_nack(void) { return AMQP_BASIC_NACK_METHOD; }
static inline amqp_method_number_t flightedge_amqp_method_basic_return(void) { return AMQP_BASIC_RETURN_METHOD; }
static inline amqp_method_number_t flightedge_amqp_method_basic_cancel(void) { return AMQP_BASIC_CANCEL_METHOD; }
static inline amqp_method_number_t flightedge_amqp_method_channel_close(void) { return AMQP_CHANNEL_CLOSE_METHOD; }
static inline amqp_method_number_t flightedge_amqp_method_connection_close(void) { return AMQP_CONNECTION_CLOSE_METHOD; }
static inline amqp_method_number_t flightedge_amqp_method_connection_blocked(void) { return AMQP_CONNECTION_BLOCKED_METHOD; }

/// Basic properties for a persistent message with an optional message id and content type.
static inline amqp_basic_properties_t flightedge_amqp_persistent_properties(
    amqp_bytes_t message_id, int has_message_id, amqp_bytes_t content_type) {
    amqp_basic_properties_t properties;
    properties._flags = AMQP_BASIC_DELIVERY_MODE_FLAG | AMQP_BASIC_CONTENT_TYPE_FLAG;
    properties.delivery_mode = AMQP_DELIVERY_PERSISTENT;
    properties.content_type = content_type;
    if (has_message_id) {
        properties._flags |= AMQP_BASIC_MESSAGE_ID_FLAG;
        properties.message_id = message_id;
    }
    return properties;
}

/// The message id of a delivered message, or empty bytes when it has none.
static inline amqp_bytes_t flightedge_amqp_message_id(const amqp_basic_properties_t *properties) {
    if (properties->_flags & AMQP_BASIC_MESSAGE_ID_FLAG) return properties->message_id;
    return amqp_empty_bytes;
}

/// queue.declare of a durable queue; `quorum` adds the argument x-queue-type = quorum.
static inline amqp_rpc_reply_t flightedge_amqp_declare_queue(
    amqp_connection_state_t state, amqp_channel_t channel, const char *name, int quorum) {
    amqp_table_entry_t entry;
    entry.key = amqp_cstring_bytes("x-queue-type");
    entry.value.kind = AMQP_FIELD_KIND_UTF8;
    entry.value.value.bytes = amqp_cstring_bytes("quorum");
    amqp_table_t arguments = amqp_empty_table;
    if (quorum) {
        arguments.num_entries = 1;
        arguments.entries = &entry;
    }
    amqp_queue_declare(state, channel, amqp_cstring_bytes(name), 0, 1, 0, 0, arguments);
    return amqp_get_rpc_reply(state);
}
#endif
