#ifndef FLIGHTEDGE_CODBC_SHIM_H
#define FLIGHTEDGE_CODBC_SHIM_H
// unixODBC 2.3 (Debian 12's unixodbc-dev), the driver manager: the site's driver (psqlODBC,
// Oracle, SQL Server) is loaded by it from the connection string. Swift cannot call the
// attribute setters that take an integer cast to a pointer, nor the SQL_SUCCEEDED macro:
// they are wrapped here.
#include <stddef.h>
#include <sql.h>
#include <sqlext.h>

static inline int flightedge_odbc_succeeded(SQLRETURN rc) { return SQL_SUCCEEDED(rc); }

/// ODBC 3 behaviour (SQLSTATEs, date types) on a new environment.
static inline SQLRETURN flightedge_odbc_use_version3(SQLHENV env) {
    return SQLSetEnvAttr(env, SQL_ATTR_ODBC_VERSION, (SQLPOINTER)SQL_OV_ODBC3, 0);
}

/// Seconds a connect may take (0: the driver's default, often none).
static inline SQLRETURN flightedge_odbc_set_login_timeout(SQLHDBC dbc, SQLULEN seconds) {
    return SQLSetConnectAttr(dbc, SQL_ATTR_LOGIN_TIMEOUT, (SQLPOINTER)seconds, 0);
}

/// Seconds a statement may run before the driver cancels it (0: no limit).
static inline SQLRETURN flightedge_odbc_set_query_timeout(SQLHSTMT stmt, SQLULEN seconds) {
    return SQLSetStmtAttr(stmt, SQL_ATTR_QUERY_TIMEOUT, (SQLPOINTER)seconds, 0);
}

/// 1 when the driver knows the connection is gone (SQL_ATTR_CONNECTION_DEAD), 0 otherwise.
static inline int flightedge_odbc_connection_dead(SQLHDBC dbc) {
    SQLUINTEGER dead = SQL_CD_FALSE;
    SQLRETURN rc = SQLGetConnectAttr(dbc, SQL_ATTR_CONNECTION_DEAD, &dead, 0, NULL);
    return SQL_SUCCEEDED(rc) && dead == SQL_CD_TRUE;
}
#endif
