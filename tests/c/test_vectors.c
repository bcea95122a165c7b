/* The shared Send cases (tests/vectors/send.txt), one cmocka test a row. */
#define _GNU_SOURCE
#include "support.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct row {
    char name[64];
    int closed;
    int64_t buffer_len, offset, size, flags;
    char expect[64];
    char detail[64];
} row;

static int parse(const char *line, row *r)
{
    char state[16], len[32], off[32], size[32], flags[32];
    if (sscanf(line, "%63s %15s %31s %31s %31s %31s %63s %63s", r->name, state, len, off, size,
               flags, r->expect, r->detail) != 8)
        return -1;
    r->closed = strcmp(state, "closed") == 0;
    r->buffer_len = strtoll(len, NULL, 0);
    r->offset = strtoll(off, NULL, 0);
    r->size = strtoll(size, NULL, 0);
    /* Flags may be a 32-bit pattern written in hex (0x80000000) or a wider value. */
    r->flags = flags[0] == '-' ? strtoll(flags, NULL, 0) : (int64_t)strtoull(flags, NULL, 0);
    return 0;
}

static void expect_field(const row *r, const char *what, const char *want, const char *got)
{
    if (got == NULL || strcmp(want, got) != 0)
        fail_msg("%s (buffer_len=%" PRId64 " offset=%" PRId64 " size=%" PRId64
                 " flags=%" PRId64 "): %s expected '%s', got '%s'",
                 r->name, r->buffer_len, r->offset, r->size, r->flags, what, want,
                 got ? got : "(null)");
}

static void run_row(void **state)
{
    const row *r = *state;
    csend_socket *s;
    int peer;
    tcp_pair(&s, &peer);
    if (r->closed)
        csend_close(s);
    size_t n = r->buffer_len > 0 ? (size_t)r->buffer_len : 1;
    char *buf = malloc(n);
    assert_non_null(buf);
    for (size_t i = 0; i < n; i++)
        buf[i] = (char)('a' + i % 26);
    csend_error err;
    memset(&err, 0, sizeof err);
    int64_t sent = csend_send(s, r->buffer_len < 0 ? NULL : buf,
                              r->buffer_len < 0 ? 0 : r->buffer_len, r->offset, r->size,
                              r->flags, &err);
    if (strcmp(r->expect, "ok") == 0) {
        if (sent < 0)
            fail_msg("%s: expected %s bytes sent, got %s: %s", r->name, r->detail,
                     csend_error_class_name(err.kind), err.message);
        assert_int_equal(sent, strtoll(r->detail, NULL, 10));
        char got[64];
        read_exactly(peer, got, (size_t)sent);
        assert_memory_equal(got, buf + r->offset, (size_t)sent);
    } else {
        if (sent != -1)
            fail_msg("%s: expected %s, but %" PRId64 " bytes were sent", r->name, r->expect, sent);
        expect_field(r, "exception", r->expect, csend_error_class_name(err.kind));
        switch (err.kind) {
        case CSEND_ERR_OBJECT_DISPOSED:
            expect_field(r, "object name", r->detail, err.object_name);
            break;
        case CSEND_ERR_SOCKET:
            expect_field(r, "SocketError", r->detail, csend_socket_error_name(err.socket_error));
            assert_int_equal(err.bytes_transferred, 0);
            break;
        case CSEND_ERR_ARGUMENT_OUT_OF_RANGE: {
            expect_field(r, "parameter", r->detail, err.param_name);
            int64_t given = strcmp(r->detail, "offset") == 0 ? r->offset
                          : strcmp(r->detail, "size") == 0 ? r->size : r->flags;
            assert_true(err.has_actual_value);
            assert_int_equal(err.actual_value, given);
            char quoted[80];
            snprintf(quoted, sizeof quoted, "('%" PRId64 "')", given);
            assert_non_null(strstr(err.message, quoted));
            break;
        }
        default:
            expect_field(r, "parameter", r->detail, err.param_name);
            break;
        }
        char expected_tail[96];
        if (err.param_name) {
            snprintf(expected_tail, sizeof expected_tail, "(Parameter '%s')", err.param_name);
            assert_non_null(strstr(err.message, expected_tail));
        }
        if (drain(peer, 20, NULL) != 0)
            fail_msg("%s: data arrived although Send raised %s", r->name, r->expect);
    }
    free(buf);
    csend_socket_free(s);
    close(peer);
}

struct CMUnitTest *vector_tests(const char *path, size_t *count)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        perror(path);
        return NULL;
    }
    size_t cap = 128, n = 0;
    struct CMUnitTest *tests = calloc(cap, sizeof *tests);
    char line[512];
    while (tests && fgets(line, sizeof line, f)) {
        const char *p = line + strspn(line, " \t");
        if (*p == '#' || *p == '\n' || *p == '\0')
            continue;
        row *r = calloc(1, sizeof *r);
        if (r == NULL || parse(p, r) < 0) {
            fprintf(stderr, "%s: cannot read: %s", path, line);
            exit(2);
        }
        if (n == cap)
            tests = realloc(tests, (cap *= 2) * sizeof *tests);
        char *name = malloc(80);
        snprintf(name, 80, "vector_%s", r->name);
        tests[n++] = (struct CMUnitTest){.name = name, .test_func = run_row, .initial_state = r};
    }
    fclose(f);
    *count = n;
    return tests;
}

void free_vector_tests(struct CMUnitTest *tests, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        free((char *)tests[i].name);
        free(tests[i].initial_state);
    }
    free(tests);
}
