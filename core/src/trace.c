/* Network tracing (contract §7): off by default and free when off. */
#define _GNU_SOURCE
#include "internal.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DUMP_MAX 1024

/* The only global mutable state of the core. -1: not yet read from the
 * environment. */
atomic_int csend__trace_on = -1;

/* The process-wide destination: a function and its userdata, read and
 * called under one lock, so that once csend_set_trace has returned no
 * thread is still in the previous function.  Recursive: a callback may
 * call csend_set_trace itself. */
static pthread_mutex_t trace_lock;
static pthread_once_t trace_lock_once = PTHREAD_ONCE_INIT;
static csend_trace_fn trace_fn;
static void *trace_userdata;

static void make_trace_lock(void)
{
    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&trace_lock, &a);
    pthread_mutexattr_destroy(&a);
}

static void lock_trace(void)
{
    pthread_once(&trace_lock_once, make_trace_lock);
    pthread_mutex_lock(&trace_lock);
}

void csend_set_trace(int on, csend_trace_fn fn, void *userdata)
{
    lock_trace();
    trace_fn = fn;
    trace_userdata = userdata;
    pthread_mutex_unlock(&trace_lock);
    atomic_store(&csend__trace_on, on != 0);
}

void csend_enable_trace(int on)
{
    atomic_store(&csend__trace_on, on != 0);
}

int csend__trace_from_environment(void)
{
    const char *env = getenv("CSEND_TRACE");
    int on = env != NULL && env[0] != '\0' && strcmp(env, "0") != 0;
    int unknown = -1;
    atomic_compare_exchange_strong(&csend__trace_on, &unknown, on);
    return atomic_load(&csend__trace_on);
}

int csend_get_trace(void)
{
    return csend__trace_enabled();
}

/* A line goes to the runtime that owns s (its hooks), or else to the
 * process-wide destination, or else to stderr. */
static void emit(csend_socket *s, const char *line)
{
    const csend_hooks *h = s->hooks;
    if (h != NULL && h->trace != NULL && h->trace(line, s->context))
        return;
    lock_trace();
    if (trace_fn != NULL)
        trace_fn(line, trace_userdata);
    else
        fprintf(stderr, "%s\n", line);
    pthread_mutex_unlock(&trace_lock);
}

static void describe(csend_socket *s, char *out, size_t len)
{
    char local[300] = "-", remote[300] = "-", host[256];
    csend_endpoint ep;
    int port;
    int fd = atomic_load(&s->fd);
    ep.len = sizeof ep.addr;
    if (getsockname(fd, (struct sockaddr *)&ep.addr, &ep.len) == 0 &&
        csend_endpoint_format(&ep, host, sizeof host, &port) >= 0)
        snprintf(local, sizeof local, ep.addr.ss_family == AF_UNIX ? "%s" : "%s:%d", host, port);
    ep.len = sizeof ep.addr;
    if (getpeername(fd, (struct sockaddr *)&ep.addr, &ep.len) == 0 &&
        csend_endpoint_format(&ep, host, sizeof host, &port) >= 0)
        snprintf(remote, sizeof remote, ep.addr.ss_family == AF_UNIX ? "%s" : "%s:%d", host, port);
    snprintf(out, len, "Socket#%p fd=%d local=%s remote=%s", (void *)s, fd, local, remote);
}

void csend__trace_begin(csend_socket *s, const char *op, int64_t size)
{
    char who[700], line[800];
    describe(s, who, sizeof who);
    snprintf(line, sizeof line, "csend %s %s size=%" PRId64, op, who, size);
    emit(s, line);
}

/* Appends the hex of up to DUMP_MAX bytes spread over segments. */
static void trace_bytes(csend_socket *s, const char *op, const csend_segment *seg,
                        int64_t count, int64_t n)
{
    static const char hex[] = "0123456789abcdef";
    char line[128 + 2 * DUMP_MAX];
    int at = snprintf(line, 128, "csend %s Socket#%p returns:%" PRId64 " data=", op, (void *)s, n);
    if (at < 0 || at > 127)
        at = 127; /* cannot happen with these fields; never write past line */
    int64_t left = n < DUMP_MAX ? n : DUMP_MAX;
    for (int64_t i = 0; i < count && left > 0; i++) {
        const unsigned char *p = seg[i].base;
        int64_t take = seg[i].len < left ? seg[i].len : left;
        for (int64_t j = 0; j < take; j++) {
            line[at++] = hex[p[j] >> 4];
            line[at++] = hex[p[j] & 15];
        }
        left -= take;
    }
    line[at] = '\0';
    emit(s, line);
}

void csend__trace_segments(csend_socket *s, const csend_segment *segments, int64_t count,
                           int64_t n)
{
    trace_bytes(s, "Send", segments, count, n);
}

void csend__trace_error(csend_socket *s, const char *op, const csend_error *err)
{
    char line[600];
    const char *name = csend_socket_error_name(err->socket_error);
    snprintf(line, sizeof line,
             "csend %s Socket#%p failed: %s %d errno=%d bytes_transferred=%" PRId64 " %s", op,
             (void *)s, name ? name : "?", err->socket_error, err->native_error,
             err->bytes_transferred, err->message);
    emit(s, line);
}
