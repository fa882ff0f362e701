#include "CJemalloc.h"

// Read by jemalloc once, before the first allocation of the process (a weak symbol of
// libjemalloc that this definition replaces); MALLOC_CONF in the environment is applied after.
//
// narenas:1: one arena for all the daemon's threads (each still allocates from its own cache,
// tcache, without a lock). The default, four per core, kept each thread's freed pages apart:
// on the 10,000-flight day 122 MB peak resident against 115 MB with one, and more CPU per
// update, not less (docs/PERFORMANCE.md, fifteenth round).
const char *malloc_conf = "narenas:1";

const char *flightedge_jemalloc_settings(void) { return malloc_conf; }
