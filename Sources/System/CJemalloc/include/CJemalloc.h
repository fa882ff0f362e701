// jemalloc, the gateway's allocator (libjemalloc-dev): its settings and the few of its
// controls the daemon uses. Not <jemalloc/jemalloc.h>: that one declares malloc and free
// again, beside glibc's.
#ifndef FLIGHTEDGE_CJEMALLOC_H
#define FLIGHTEDGE_CJEMALLOC_H

#include <stddef.h>
#include <stdint.h>

/// jemalloc's control interface (`man 3 jemalloc`, MALLCTL NAMESPACE): reads `oldp` and/or
/// writes `newp` for the setting or statistic `name`; 0 on success, an errno value otherwise.
int mallctl(const char *name, void *oldp, size_t *oldlenp, void *newp, size_t newlen);

/// The settings this build gives jemalloc before the first allocation (`malloc_conf`), for the
/// daemon's start-up line; MALLOC_CONF in the environment is applied on top of them.
const char *flightedge_jemalloc_settings(void);

#endif
