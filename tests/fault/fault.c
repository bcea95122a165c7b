/* Fault injection for the tests: send, sendto, sendmsg and poll, replaced
 * in front of libc. Built only for the tests, never part of the library.
 *
 * Loaded with LD_PRELOAD (Python, Lua) or linked into a test program (C).
 * What to inject is a comma-separated list of key=value, taken from the
 * CSEND_FAULT environment variable at start-up or from csend_fault_set():
 *
 *   err=ENAME   send calls fail with this errno (a name, as EPIPE)
 *   after=N     ... once N bytes have gone through; each real call is cut
 *               so that exactly N bytes pass before the first failure
 *   times=N     at most N injected errors (default: no limit)
 *   eintr=N     N failures with EINTR before every send and poll call
 *   max=N       each real send hands at most N bytes to the kernel
 *   fd=N        only this descriptor (default: every one)
 *
 * csend_fault_stats() reports what was injected; with CSEND_FAULT_REPORT
 * set to a path, the same line is appended to that file at exit. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

#define EXPORT __attribute__((visibility("default")))

static struct {
    int err;          /* 0: none */
    int64_t after;    /* bytes to let through before err */
    int64_t times;    /* injections of err left; -1: no limit */
    int eintr;        /* EINTR failures before each real call */
    int64_t max;      /* cap on one real call; 0: none */
    int fd;           /* -1: every descriptor */
} cfg = {.times = -1, .fd = -1};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int64_t passed;                 /* bytes the real calls accepted */
static _Atomic int64_t injected;       /* errors and EINTRs returned */
static _Atomic int64_t real_calls;
static __thread int eintr_left;        /* per thread: storms don't interleave */
static __thread unsigned eintr_epoch;
static atomic_uint epoch = 1;

static ssize_t (*real_send)(int, const void *, size_t, int);
static ssize_t (*real_sendto)(int, const void *, size_t, int, __CONST_SOCKADDR_ARG, socklen_t);
static ssize_t (*real_sendmsg)(int, const struct msghdr *, int);
static int (*real_poll)(struct pollfd *, nfds_t, int);

/* POSIX's way to take a function from dlsym without a cast ISO C forbids. */
#define NEXT(ptr, name) (*(void **)&(ptr) = dlsym(RTLD_NEXT, name))

static void resolve(void)
{
    if (real_send == NULL) {
        NEXT(real_sendto, "sendto");
        NEXT(real_sendmsg, "sendmsg");
        NEXT(real_poll, "poll");
        NEXT(real_send, "send");
    }
}

static int errno_by_name(const char *name, size_t len)
{
    /* Names glibc gives only as aliases of another errno. */
    static const struct {
        const char *alias;
        int value;
    } aliases[] = {{"ENOTSUP", ENOTSUP}, {"EWOULDBLOCK", EWOULDBLOCK}, {"EDEADLOCK", EDEADLOCK}};
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
        if (strlen(aliases[i].alias) == len && strncmp(aliases[i].alias, name, len) == 0)
            return aliases[i].value;
    for (int e = 1; e < 200; e++) {
        const char *n = strerrorname_np(e);
        if (n != NULL && strlen(n) == len && strncmp(n, name, len) == 0)
            return e;
    }
    return -1;
}

/* The errno called name ("EPIPE"), or -1. */
EXPORT int csend_fault_errno(const char *name)
{
    return errno_by_name(name, strlen(name));
}

/* Returns 0, or -1 when spec has a key or value it does not know. */
EXPORT int csend_fault_set(const char *spec)
{
    resolve();
    pthread_mutex_lock(&lock);
    cfg.err = 0;
    cfg.after = 0;
    cfg.times = -1;
    cfg.eintr = 0;
    cfg.max = 0;
    cfg.fd = -1;
    passed = 0;
    atomic_fetch_add(&epoch, 1);
    int rc = 0;
    for (const char *p = spec ? spec : ""; *p;) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        const char *eq = memchr(p, '=', n);
        if (eq == NULL) {
            rc = -1;
            break;
        }
        size_t klen = (size_t)(eq - p);
        const char *v = eq + 1;
        size_t vlen = n - klen - 1;
        long long num = strtoll(v, NULL, 10);
        if (klen == 3 && strncmp(p, "err", 3) == 0)
            rc |= (cfg.err = errno_by_name(v, vlen)) < 0 ? -1 : 0;
        else if (klen == 5 && strncmp(p, "after", 5) == 0)
            cfg.after = num;
        else if (klen == 5 && strncmp(p, "times", 5) == 0)
            cfg.times = num;
        else if (klen == 5 && strncmp(p, "eintr", 5) == 0)
            cfg.eintr = (int)num;
        else if (klen == 3 && strncmp(p, "max", 3) == 0)
            cfg.max = num;
        else if (klen == 2 && strncmp(p, "fd", 2) == 0)
            cfg.fd = (int)num;
        else
            rc = -1;
        p += n;
        if (*p == ',')
            p++;
    }
    if (rc < 0)
        cfg.err = 0;
    pthread_mutex_unlock(&lock);
    return rc;
}

EXPORT void csend_fault_stats(int64_t *faults, int64_t *bytes, int64_t *calls)
{
    pthread_mutex_lock(&lock);
    if (bytes)
        *bytes = passed;
    pthread_mutex_unlock(&lock);
    if (faults)
        *faults = atomic_load(&injected);
    if (calls)
        *calls = atomic_load(&real_calls);
}

static void report(void)
{
    const char *path = getenv("CSEND_FAULT_REPORT");
    if (path == NULL)
        return;
    FILE *f = fopen(path, "a");
    if (f == NULL)
        return;
    int64_t faults, bytes, calls;
    csend_fault_stats(&faults, &bytes, &calls);
    fprintf(f, "faults=%lld bytes=%lld calls=%lld\n", (long long)faults, (long long)bytes,
            (long long)calls);
    fclose(f);
}

__attribute__((constructor)) static void init(void)
{
    resolve();
    const char *spec = getenv("CSEND_FAULT");
    if (spec != NULL && csend_fault_set(spec) < 0) {
        fprintf(stderr, "CSEND_FAULT: cannot read '%s'\n", spec);
        abort();
    }
    atexit(report);
}

/* Before a call on fd: 1 and errno set to fail it, 0 to run it with at most
 * *len bytes. */
static int inject(int fd, size_t *len)
{
    if (cfg.fd >= 0 && fd != cfg.fd)
        return 0;
    unsigned now = atomic_load(&epoch);
    if (cfg.eintr > 0) {
        if (eintr_epoch != now) {
            eintr_epoch = now;
            eintr_left = cfg.eintr;
        }
        if (eintr_left > 0) {
            eintr_left--;
            atomic_fetch_add(&injected, 1);
            errno = EINTR;
            return 1;
        }
        eintr_left = cfg.eintr; /* the next call gets its storm too */
    }
    if (len == NULL)
        return 0;
    int fail = 0;
    pthread_mutex_lock(&lock);
    if (cfg.err != 0 && cfg.times != 0) {
        if (passed >= cfg.after) {
            fail = cfg.err;
            if (cfg.times > 0)
                cfg.times--;
        } else if ((int64_t)*len > cfg.after - passed) {
            *len = (size_t)(cfg.after - passed);
        }
    }
    if (cfg.max > 0 && (int64_t)*len > cfg.max)
        *len = (size_t)cfg.max;
    pthread_mutex_unlock(&lock);
    if (fail) {
        atomic_fetch_add(&injected, 1);
        errno = fail;
        return 1;
    }
    return 0;
}

static void count(int fd, ssize_t n)
{
    atomic_fetch_add(&real_calls, 1);
    if (n > 0 && (cfg.fd < 0 || fd == cfg.fd)) {
        pthread_mutex_lock(&lock);
        passed += n;
        pthread_mutex_unlock(&lock);
    }
}

EXPORT ssize_t send(int fd, const void *buf, size_t len, int flags)
{
    resolve();
    if (inject(fd, &len))
        return -1;
    ssize_t n = real_send(fd, buf, len, flags);
    count(fd, n);
    return n;
}

/* glibc declares the address as a transparent union under _GNU_SOURCE. */
EXPORT ssize_t sendto(int fd, const void *buf, size_t len, int flags, __CONST_SOCKADDR_ARG to,
                      socklen_t tolen)
{
    resolve();
    if (inject(fd, &len))
        return -1;
    ssize_t n = real_sendto(fd, buf, len, flags, to, tolen);
    count(fd, n);
    return n;
}

EXPORT ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
    resolve();
    size_t total = 0;
    for (size_t i = 0; i < msg->msg_iovlen; i++)
        total += msg->msg_iov[i].iov_len;
    size_t len = total;
    if (inject(fd, &len))
        return -1;
    if (len == total) {
        ssize_t n = real_sendmsg(fd, msg, flags);
        count(fd, n);
        return n;
    }
    /* Cut the vector to len bytes: a copy, the caller's stays as it was. */
    struct msghdr m = *msg;
    struct iovec *iov = calloc(msg->msg_iovlen ? msg->msg_iovlen : 1, sizeof *iov);
    if (iov == NULL) {
        errno = ENOBUFS;
        return -1;
    }
    size_t k = 0;
    for (size_t left = len; k < msg->msg_iovlen && left > 0; k++) {
        iov[k] = msg->msg_iov[k];
        if (iov[k].iov_len > left)
            iov[k].iov_len = left;
        left -= iov[k].iov_len;
    }
    m.msg_iov = iov;
    m.msg_iovlen = k;
    ssize_t n = real_sendmsg(fd, &m, flags);
    free(iov);
    count(fd, n);
    return n;
}

EXPORT int poll(struct pollfd *fds, nfds_t nfds, int timeout)
{
    resolve();
    if (nfds == 1 && inject(fds[0].fd, NULL))
        return -1;
    return real_poll(fds, nfds, timeout);
}
