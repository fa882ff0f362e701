#ifndef FLIGHTEDGE_CSYSTEMD_SHIM_H
#define FLIGHTEDGE_CSYSTEMD_SHIM_H
#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>

// Swift cannot call C variadic functions: one fixed-arity wrapper per use.
static inline int flightedge_sd_journal_send_message(int priority, const char *message,
                                                     const char *identifier) {
    return sd_journal_send("MESSAGE=%s", message, "PRIORITY=%i", priority,
                           "SYSLOG_IDENTIFIER=%s", identifier, NULL);
}
#endif
