/* Socket options (contract §9): .NET's SocketOptionLevel/SocketOptionName
 * numbers, the one table that translates them to the OS's, and the
 * properties .NET builds on them. */
#define _GNU_SOURCE
#include "internal.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

/* How a value crosses between .NET and the OS. */
typedef enum {
    PLAIN,           /* an int both ways */
    LINGER,          /* struct linger; (enabled, seconds) */
    DONT_LINGER,     /* SO_LINGER's on/off, inverted */
    REUSE,           /* .NET's ReuseAddress on Unix: SO_REUSEPORT (read), and
                      * SO_REUSEADDR with it (written) */
    EXCLUSIVE,       /* the same, inverted; 0 or 1 only */
    DONT_FRAGMENT,   /* the MTU discovery mode: DO for true */
    ERROR_CODE,      /* SO_ERROR: the errno read (and cleared) as its SocketError number */
    SEND_TIMEOUT,    /* the socket's own SendTimeout (the driver's, not the kernel's) */
    RECEIVE_TIMEOUT,
} option_kind;

typedef struct {
    int level, name;       /* .NET */
    int os_level, os_name; /* Linux */
    option_kind kind;
} option_row;

#define SOL CSEND_OPTION_LEVEL_SOCKET
#define IP CSEND_OPTION_LEVEL_IP
#define IP6 CSEND_OPTION_LEVEL_IPV6
#define TCP CSEND_OPTION_LEVEL_TCP
static const option_row options[] = {
    {SOL, CSEND_OPTION_DEBUG, SOL_SOCKET, SO_DEBUG, PLAIN},
    {SOL, CSEND_OPTION_ACCEPT_CONNECTION, SOL_SOCKET, SO_ACCEPTCONN, PLAIN},
    {SOL, CSEND_OPTION_REUSE_ADDRESS, SOL_SOCKET, SO_REUSEPORT, REUSE},
    {SOL, CSEND_OPTION_EXCLUSIVE_ADDRESS_USE, SOL_SOCKET, SO_REUSEPORT, EXCLUSIVE},
    {SOL, CSEND_OPTION_KEEP_ALIVE, SOL_SOCKET, SO_KEEPALIVE, PLAIN},
    {SOL, CSEND_OPTION_DONT_ROUTE, SOL_SOCKET, SO_DONTROUTE, PLAIN},
    {SOL, CSEND_OPTION_BROADCAST, SOL_SOCKET, SO_BROADCAST, PLAIN},
    {SOL, CSEND_OPTION_LINGER, SOL_SOCKET, SO_LINGER, LINGER},
    {SOL, CSEND_OPTION_DONT_LINGER, SOL_SOCKET, SO_LINGER, DONT_LINGER},
    {SOL, CSEND_OPTION_OUT_OF_BAND_INLINE, SOL_SOCKET, SO_OOBINLINE, PLAIN},
    {SOL, CSEND_OPTION_SEND_BUFFER, SOL_SOCKET, SO_SNDBUF, PLAIN},
    {SOL, CSEND_OPTION_RECEIVE_BUFFER, SOL_SOCKET, SO_RCVBUF, PLAIN},
    {SOL, CSEND_OPTION_SEND_LOW_WATER, SOL_SOCKET, SO_SNDLOWAT, PLAIN},
    {SOL, CSEND_OPTION_RECEIVE_LOW_WATER, SOL_SOCKET, SO_RCVLOWAT, PLAIN},
    {SOL, CSEND_OPTION_SEND_TIMEOUT, 0, 0, SEND_TIMEOUT},
    {SOL, CSEND_OPTION_RECEIVE_TIMEOUT, 0, 0, RECEIVE_TIMEOUT},
    {SOL, CSEND_OPTION_ERROR, SOL_SOCKET, SO_ERROR, ERROR_CODE},
    {SOL, CSEND_OPTION_TYPE, SOL_SOCKET, SO_TYPE, PLAIN},
    {IP, CSEND_OPTION_IP_OPTIONS, IPPROTO_IP, IP_OPTIONS, PLAIN},
    {IP, CSEND_OPTION_HEADER_INCLUDED, IPPROTO_IP, IP_HDRINCL, PLAIN},
    {IP, CSEND_OPTION_TYPE_OF_SERVICE, IPPROTO_IP, IP_TOS, PLAIN},
    {IP, CSEND_OPTION_IP_TIME_TO_LIVE, IPPROTO_IP, IP_TTL, PLAIN},
    {IP, CSEND_OPTION_MULTICAST_INTERFACE, IPPROTO_IP, IP_MULTICAST_IF, PLAIN},
    {IP, CSEND_OPTION_MULTICAST_TIME_TO_LIVE, IPPROTO_IP, IP_MULTICAST_TTL, PLAIN},
    {IP, CSEND_OPTION_MULTICAST_LOOPBACK, IPPROTO_IP, IP_MULTICAST_LOOP, PLAIN},
    {IP, CSEND_OPTION_DONT_FRAGMENT, IPPROTO_IP, IP_MTU_DISCOVER, DONT_FRAGMENT},
    {IP, CSEND_OPTION_PACKET_INFORMATION, IPPROTO_IP, IP_PKTINFO, PLAIN},
    {IP6, CSEND_OPTION_IP_TIME_TO_LIVE, IPPROTO_IPV6, IPV6_UNICAST_HOPS, PLAIN},
    {IP6, CSEND_OPTION_MULTICAST_INTERFACE, IPPROTO_IPV6, IPV6_MULTICAST_IF, PLAIN},
    {IP6, CSEND_OPTION_MULTICAST_TIME_TO_LIVE, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, PLAIN},
    {IP6, CSEND_OPTION_MULTICAST_LOOPBACK, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, PLAIN},
    {IP6, CSEND_OPTION_DONT_FRAGMENT, IPPROTO_IPV6, IPV6_MTU_DISCOVER, DONT_FRAGMENT},
    {IP6, CSEND_OPTION_PACKET_INFORMATION, IPPROTO_IPV6, IPV6_RECVPKTINFO, PLAIN},
    {IP6, CSEND_OPTION_HOP_LIMIT, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, PLAIN},
    {IP6, CSEND_OPTION_IPV6_ONLY, IPPROTO_IPV6, IPV6_V6ONLY, PLAIN},
    {TCP, CSEND_OPTION_NO_DELAY, IPPROTO_TCP, TCP_NODELAY, PLAIN},
    {TCP, CSEND_OPTION_TCP_KEEP_ALIVE_TIME, IPPROTO_TCP, TCP_KEEPIDLE, PLAIN},
    {TCP, CSEND_OPTION_TCP_KEEP_ALIVE_INTERVAL, IPPROTO_TCP, TCP_KEEPINTVL, PLAIN},
    {TCP, CSEND_OPTION_TCP_KEEP_ALIVE_RETRY_COUNT, IPPROTO_TCP, TCP_KEEPCNT, PLAIN},
    {TCP, CSEND_OPTION_FAST_OPEN, IPPROTO_TCP, TCP_FASTOPEN, PLAIN},
};
#undef SOL
#undef IP
#undef IP6
#undef TCP

/* The row for (level, name), or NULL with ProtocolOption: a pair the OS
 * does not have, as .NET on Unix reports it. */
static const option_row *find(int64_t level, int64_t name, csend_error *err)
{
    for (size_t i = 0; i < sizeof options / sizeof options[0]; i++)
        if (options[i].level == level && options[i].name == name)
            return &options[i];
    csend__socket_error(err, CSEND_SOCKET_ERROR_PROTOCOL_OPTION, ENOPROTOOPT, 0);
    return NULL;
}

/* Disposed, then the level and name (32-bit enums), then the row. */
static const option_row *enter_option(csend_socket *s, int64_t level, int64_t name,
                                      csend_error *err)
{
    if (csend__enter(s, err) < 0)
        return NULL;
    const option_row *row = NULL;
    if (csend__check_range(err, "optionLevel", level, INT32_MIN, INT32_MAX) == 0 &&
        csend__check_range(err, "optionName", name, INT32_MIN, INT32_MAX) == 0)
        row = find(level, name, err);
    if (row == NULL)
        csend__leave(s);
    return row;
}

static int os_get(csend_socket *s, const option_row *row, void *value, socklen_t len,
                  csend_error *err)
{
    if (getsockopt(atomic_load(&s->fd), row->os_level, row->os_name, value, &len) == 0)
        return 0;
    csend__socket_errno(err, errno, 0);
    return -1;
}

static int os_set(csend_socket *s, const option_row *row, const void *value, socklen_t len,
                  csend_error *err)
{
    if (setsockopt(atomic_load(&s->fd), row->os_level, row->os_name, value, len) == 0)
        return 0;
    csend__socket_errno(err, errno, 0);
    return -1;
}

static int get_value(csend_socket *s, const option_row *row, int64_t *value, csend_linger *linger,
                     csend_error *err)
{
    int v = 0;
    struct linger l = {0, 0};
    switch (row->kind) {
    case SEND_TIMEOUT: *value = csend__timeout(&s->send_timeout_ms); return 0;
    case RECEIVE_TIMEOUT: *value = csend__timeout(&s->receive_timeout_ms); return 0;
    case LINGER:
    case DONT_LINGER:
        if (os_get(s, row, &l, sizeof l, err) < 0)
            return -1;
        if (linger != NULL) {
            linger->enabled = l.l_onoff != 0;
            linger->seconds = l.l_linger;
        }
        *value = row->kind == LINGER ? l.l_onoff != 0 : l.l_onoff == 0;
        return 0;
    default:
        if (os_get(s, row, &v, sizeof v, err) < 0)
            return -1;
        switch (row->kind) {
        case REUSE: *value = v != 0; break;
        case EXCLUSIVE: *value = v == 0; break;
        case DONT_FRAGMENT: *value = v == IP_PMTUDISC_DO; break;
        case ERROR_CODE: *value = csend_socket_error_from_errno(v); break;
        default: *value = v; break;
        }
        return 0;
    }
}

static int set_value(csend_socket *s, const option_row *row, int64_t value, csend_error *err)
{
    if (csend__check_range(err, "optionValue", value, INT32_MIN, INT32_MAX) < 0)
        return -1;
    int v = (int)value;
    switch (row->kind) {
    case SEND_TIMEOUT:
    case RECEIVE_TIMEOUT:
        /* The same value, and the same check, as the property; the driver
         * times the wait. */
        if (csend__check_range(err, "optionValue", value, -1, INT32_MAX) < 0)
            return -1;
        atomic_store(row->kind == SEND_TIMEOUT ? &s->send_timeout_ms : &s->receive_timeout_ms,
                     (int64_t)(v < 0 ? 0 : v));
        return 0;
    case DONT_LINGER: {
        struct linger l = {0, 0};
        socklen_t len = sizeof l;
        getsockopt(atomic_load(&s->fd), SOL_SOCKET, SO_LINGER, &l, &len);
        l.l_onoff = v == 0;
        return os_set(s, row, &l, sizeof l, err);
    }
    case EXCLUSIVE:
        if (v != 0 && v != 1) {
            csend__socket_errno(err, EINVAL, 0);
            return -1;
        }
        v = !v;
        break;
    case REUSE: v = v != 0; break;
    case DONT_FRAGMENT: v = v != 0 ? IP_PMTUDISC_DO : IP_PMTUDISC_DONT; break;
    default: break; /* LINGER with an int: the OS says what it makes of it */
    }
    if (os_set(s, row, &v, sizeof v, err) < 0)
        return -1;
    if ((row->kind == REUSE || row->kind == EXCLUSIVE) &&
        setsockopt(atomic_load(&s->fd), SOL_SOCKET, SO_REUSEADDR, &v, sizeof v) < 0) {
        csend__socket_errno(err, errno, 0);
        return -1;
    }
    return 0;
}

int csend_get_socket_option(csend_socket *s, int64_t level, int64_t name, int64_t *value,
                            csend_linger *linger, csend_error *err)
{
    CSEND_ERR(err);
    int64_t scratch;
    const option_row *row = enter_option(s, level, name, err);
    if (row == NULL)
        return -1;
    int rc = get_value(s, row, value ? value : &scratch, linger, err);
    csend__leave(s);
    return rc < 0 ? -1 : row->kind == LINGER;
}

int csend_set_socket_option(csend_socket *s, int64_t level, int64_t name, int64_t value,
                            csend_error *err)
{
    CSEND_ERR(err);
    const option_row *row = enter_option(s, level, name, err);
    if (row == NULL)
        return -1;
    int rc = set_value(s, row, value, err);
    csend__leave(s);
    return rc;
}

int csend_set_socket_option_linger(csend_socket *s, int64_t level, int64_t name,
                                   const csend_linger *value, csend_error *err)
{
    CSEND_ERR(err);
    if (csend__enter(s, err) < 0)
        return -1;
    int rc = -1;
    /* .NET's order: disposed, null, the value's kind for the pair, then
     * the value itself. */
    if (value == NULL) {
        csend__argument_null(err, "optionValue");
    } else if (csend__check_range(err, "optionLevel", level, INT32_MIN, INT32_MAX) < 0 ||
               csend__check_range(err, "optionName", name, INT32_MIN, INT32_MAX) < 0) {
        /* err filled */
    } else if (level != CSEND_OPTION_LEVEL_SOCKET || name != CSEND_OPTION_LINGER) {
        csend__argument(err, "optionValue", "The specified value is not valid.");
    } else if (value->seconds < 0 || value->seconds > UINT16_MAX) {
        csend__argument(err, "optionValue",
                        "The specified value must be between 0 and 65535 "
                        "(optionValue.LingerTime).");
    } else {
        const option_row *row = find(level, name, err);
        struct linger l = {value->enabled != 0, (int)value->seconds};
        rc = row == NULL ? -1 : os_set(s, row, &l, sizeof l, err);
    }
    csend__leave(s);
    return rc;
}

/* ---- the properties .NET builds on options ---- */

static int64_t get_int(csend_socket *s, int level, int name, csend_error *err)
{
    int64_t v;
    return csend_get_socket_option(s, level, name, &v, NULL, err) < 0 ? -1 : v;
}

int64_t csend_get_send_buffer_size(csend_socket *s, csend_error *err)
{
    CSEND_ERR(err);
    return get_int(s, CSEND_OPTION_LEVEL_SOCKET, CSEND_OPTION_SEND_BUFFER, err);
}

int64_t csend_get_receive_buffer_size(csend_socket *s, csend_error *err)
{
    CSEND_ERR(err);
    return get_int(s, CSEND_OPTION_LEVEL_SOCKET, CSEND_OPTION_RECEIVE_BUFFER, err);
}

/* Disposed first, then the value: as every .NET setter. */
static int set_checked(csend_socket *s, int level, int name, int64_t value, int64_t min,
                       int64_t max, csend_error *err)
{
    if (csend__enter(s, err) < 0)
        return -1;
    int rc = csend__check_range(err, "value", value, min, max);
    csend__leave(s);
    return rc < 0 ? -1 : csend_set_socket_option(s, level, name, value, err);
}

int csend_set_send_buffer_size(csend_socket *s, int64_t size, csend_error *err)
{
    CSEND_ERR(err);
    return set_checked(s, CSEND_OPTION_LEVEL_SOCKET, CSEND_OPTION_SEND_BUFFER, size, 0,
                       INT32_MAX, err);
}

int csend_set_receive_buffer_size(csend_socket *s, int64_t size, csend_error *err)
{
    CSEND_ERR(err);
    return set_checked(s, CSEND_OPTION_LEVEL_SOCKET, CSEND_OPTION_RECEIVE_BUFFER, size, 0,
                       INT32_MAX, err);
}

/* The IP level of s's family for Ttl and DontFragment; -1 with
 * NotSupported for any other family (disposed first). */
static int ip_level(csend_socket *s, csend_error *err)
{
    if (csend__enter(s, err) < 0)
        return -1;
    int level = s->family == CSEND_AF_INTER_NETWORK      ? CSEND_OPTION_LEVEL_IP
              : s->family == CSEND_AF_INTER_NETWORK_V6 ? CSEND_OPTION_LEVEL_IPV6
                                                       : -1;
    csend__leave(s);
    if (level < 0)
        csend__not_supported(err, "This protocol version is not supported.");
    return level;
}

int64_t csend_get_ttl(csend_socket *s, csend_error *err)
{
    CSEND_ERR(err);
    int level = ip_level(s, err);
    return level < 0 ? -1 : get_int(s, level, CSEND_OPTION_IP_TIME_TO_LIVE, err);
}

int csend_set_ttl(csend_socket *s, int64_t ttl, csend_error *err)
{
    CSEND_ERR(err);
    if (csend__enter(s, err) < 0)
        return -1;
    int rc = csend__check_range(err, "value", ttl, 0, 255);
    csend__leave(s);
    int level = rc < 0 ? -1 : ip_level(s, err);
    return level < 0 ? -1 : csend_set_socket_option(s, level, CSEND_OPTION_IP_TIME_TO_LIVE, ttl, err);
}

/* DontFragment: IPv4 sockets only, as .NET (NotSupported on IPv6 too). */
static int ipv4_only(csend_socket *s, csend_error *err)
{
    int level = ip_level(s, err);
    if (level < 0)
        return -1;
    if (level != CSEND_OPTION_LEVEL_IP) {
        csend__not_supported(err, "This protocol version is not supported.");
        return -1;
    }
    return 0;
}

int csend_get_dont_fragment(csend_socket *s, csend_error *err)
{
    CSEND_ERR(err);
    if (ipv4_only(s, err) < 0)
        return -1;
    int64_t v = get_int(s, CSEND_OPTION_LEVEL_IP, CSEND_OPTION_DONT_FRAGMENT, err);
    return v < 0 ? -1 : v != 0;
}

int csend_set_dont_fragment(csend_socket *s, int on, csend_error *err)
{
    CSEND_ERR(err);
    if (ipv4_only(s, err) < 0)
        return -1;
    return csend_set_socket_option(s, CSEND_OPTION_LEVEL_IP, CSEND_OPTION_DONT_FRAGMENT, on != 0,
                                   err);
}

int csend_get_enable_broadcast(csend_socket *s, csend_error *err)
{
    CSEND_ERR(err);
    int64_t v = get_int(s, CSEND_OPTION_LEVEL_SOCKET, CSEND_OPTION_BROADCAST, err);
    return v < 0 ? -1 : v != 0;
}

int csend_set_enable_broadcast(csend_socket *s, int on, csend_error *err)
{
    CSEND_ERR(err);
    return csend_set_socket_option(s, CSEND_OPTION_LEVEL_SOCKET, CSEND_OPTION_BROADCAST, on != 0,
                                   err);
}

/* DualMode: IPv6 sockets only, NotSupported otherwise (disposed first). */
static int ipv6_only(csend_socket *s, csend_error *err)
{
    int level = ip_level(s, err);
    if (level < 0)
        return -1;
    if (level != CSEND_OPTION_LEVEL_IPV6) {
        csend__not_supported(err, "This protocol version is not supported.");
        return -1;
    }
    return 0;
}

int csend_get_dual_mode(csend_socket *s, csend_error *err)
{
    CSEND_ERR(err);
    /* As .NET: any other family is simply not dual (disposed still first). */
    if (csend__enter(s, err) < 0)
        return -1;
    int v6 = s->family == CSEND_AF_INTER_NETWORK_V6;
    csend__leave(s);
    if (!v6)
        return 0;
    int64_t v = get_int(s, CSEND_OPTION_LEVEL_IPV6, CSEND_OPTION_IPV6_ONLY, err);
    return v < 0 ? -1 : v == 0;
}

int csend_set_dual_mode(csend_socket *s, int on, csend_error *err)
{
    CSEND_ERR(err);
    if (ipv6_only(s, err) < 0)
        return -1;
    return csend_set_socket_option(s, CSEND_OPTION_LEVEL_IPV6, CSEND_OPTION_IPV6_ONLY, on == 0,
                                   err);
}

int csend_get_linger_state(csend_socket *s, csend_linger *linger, csend_error *err)
{
    CSEND_ERR(err);
    if (linger == NULL) {
        csend__argument_null(err, "value");
        return -1;
    }
    return csend_get_socket_option(s, CSEND_OPTION_LEVEL_SOCKET, CSEND_OPTION_LINGER, NULL, linger,
                                   err) < 0 ? -1 : 0;
}

int csend_set_linger_state(csend_socket *s, const csend_linger *value, csend_error *err)
{
    CSEND_ERR(err);
    return csend_set_socket_option_linger(s, CSEND_OPTION_LEVEL_SOCKET, CSEND_OPTION_LINGER,
                                          value, err);
}
