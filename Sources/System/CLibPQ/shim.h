#ifndef FLIGHTEDGE_CLIBPQ_SHIM_H
#define FLIGHTEDGE_CLIBPQ_SHIM_H
// libpq's headers live in /usr/include/postgresql on Debian (pkg-config libpq adds it).
#include <libpq-fe.h>
#endif
