/* contract §4 (the errno table, the SocketError numbers) and §7 (tracing). */
#define _GNU_SOURCE
#include "support.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void test_every_errno_maps_as_the_table_says(void **state)
{
    (void)state;
    for (size_t i = 0; i < spec_errno_count; i++) {
        int got = csend_socket_error_from_errno(spec_errno_rows[i].errnum);
        if (got != spec_errno_rows[i].code)
            fail_msg("errno %d (%s): expected %s (%d), got %d", spec_errno_rows[i].errnum,
                     strerror(spec_errno_rows[i].errnum), spec_errno_rows[i].name,
                     spec_errno_rows[i].code, got);
        assert_string_equal(csend_socket_error_name(got), spec_errno_rows[i].name);
    }
}

static void test_socket_error_numbers_are_the_documented_ones(void **state)
{
    (void)state;
    size_t n;
    const csend_constant *t = csend_socket_error_table(&n);
    assert_int_equal(n, 47);
    static const struct { const char *name; int value; } spot[] = {
        {"Success", 0}, {"SocketError", -1}, {"IOPending", 997}, {"OperationAborted", 995},
        {"TypeNotFound", 10109}, {"Disconnecting", 10101}, {"NoData", 11004},
        {"ProcessLimit", 10067}, {"NotInitialized", 10093}, {"TryAgain", 11002},
    };
    for (size_t i = 0; i < sizeof spot / sizeof spot[0]; i++) {
        int found = 0;
        for (size_t j = 0; j < n; j++)
            if (strcmp(t[j].name, spot[i].name) == 0) {
                assert_int_equal(t[j].value, spot[i].value);
                found = 1;
            }
        assert_true(found);
    }
    assert_null(csend_socket_error_name(12345));
    const csend_constant *f = csend_socket_flags_table(&n);
    assert_int_equal(n, 10);
    assert_string_equal(f[9].name, "Partial");
    assert_int_equal(f[9].value, 0x8000);
    assert_string_equal(f[1].upper_name, "OUT_OF_BAND");
}

static void test_messages_follow_modern_dotnet(void **state)
{
    (void)state;
    csend_socket *s;
    int peer;
    unix_pair(&s, &peer);
    csend_error err;
    csend_send(s, NULL, 0, 0, 0, 0, &err);
    assert_string_equal(err.message, "Value cannot be null. (Parameter 'buffer')");
    csend_send(s, "abcde", 5, 6, 0, 0, &err);
    assert_string_equal(err.message,
                        "offset ('6') must be less than or equal to '5'. (Parameter 'offset')");
    csend_send(s, "abcde", 5, 0, -1, 0, &err);
    assert_string_equal(err.message,
                        "size ('-1') must be greater than or equal to '0'. (Parameter 'size')");
    csend_send(s, "abcde", 5, 0, 5, 2, &err);
    assert_string_equal(err.message, "socketFlags 0x2: Peek (0x2) is not valid for Send");
    csend_send(s, "abcde", 5, 0, 5, 0x108, &err);
    assert_string_equal(err.message,
                        "socketFlags 0x108: 0x8, Truncated (0x100) are not valid for Send");
    char in[4];
    csend_receive(s, in, 4, 0, 4, CSEND_FLAG_DONT_ROUTE, &err);
    assert_string_equal(err.message, "socketFlags 0x4: DontRoute (0x4) is not valid for Receive");
    csend_send(s, "abcde", 5, 0, 5, 2, &err);
    assert_int_equal(err.native_error, EOPNOTSUPP);
    assert_int_equal(err.socket_error, 10045);
    csend_close(s);
    csend_send(s, "abcde", 5, 0, 5, 0, &err);
    assert_string_equal(err.message, "Cannot access a disposed object. Object name: 'csend.Socket'.");
    assert_string_equal(csend_error_class_name(err.kind), "ObjectDisposedException");
    csend_socket_free(s);
    close(peer);
}

typedef struct lines {
    char text[8][2200];
    int count;
} lines;

static void collect(const char *line, void *userdata)
{
    lines *l = userdata;
    if (l->count < 8)
        snprintf(l->text[l->count], sizeof l->text[0], "%s", line);
    l->count++;
}

static void test_trace_logs_send_result_and_failure_but_not_argument_errors(void **state)
{
    (void)state;
    lines l = {.count = 0};
    csend_set_trace(1, collect, &l);
    csend_socket *s;
    int peer;
    tcp_pair(&s, &peer);
    csend_error err;
    assert_int_equal(csend_send(s, "This is a test", 14, 0, 14, 0, &err), 14);
    assert_int_equal(l.count, 2);
    assert_non_null(strstr(l.text[0], "Send"));
    assert_non_null(strstr(l.text[0], "size=14"));
    assert_non_null(strstr(l.text[0], "local=127.0.0.1:"));
    assert_non_null(strstr(l.text[0], "remote=127.0.0.1:"));
    assert_non_null(strstr(l.text[1], "returns:14 data=5468697320697320612074657374"));

    csend_send(s, "abc", 3, 4, 0, 0, &err); /* argument errors log nothing */
    csend_send(s, "abc", 3, 0, 3, CSEND_FLAG_PEEK, &err);
    assert_int_equal(l.count, 2);

    close(peer);
    usleep(20000);
    csend_send(s, "x", 1, 0, 1, 0, &err);
    csend_send(s, "x", 1, 0, 1, 0, &err);
    assert_int_equal(l.count, 6);
    assert_non_null(strstr(l.text[5], "failed: Shutdown 10058 errno=32"));

    csend_set_trace(0, NULL, NULL);
    csend_send(s, "x", 1, 0, 1, 0, &err);
    assert_int_equal(l.count, 6);
    csend_socket_free(s);
}

static void test_trace_dumps_at_most_1024_bytes(void **state)
{
    (void)state;
    lines l = {.count = 0};
    csend_set_trace(1, collect, &l);
    csend_socket *s;
    int peer;
    unix_pair(&s, &peer);
    static char data[4000];
    memset(data, 0xab, sizeof data);
    csend_error err;
    assert_int_equal(csend_send(s, data, sizeof data, 0, sizeof data, 0, &err), 4000);
    csend_set_trace(0, NULL, NULL);
    const char *hex = strstr(l.text[1], "data=");
    assert_non_null(hex);
    assert_int_equal(strlen(hex + 5), 2048);
    csend_socket_free(s);
    close(peer);
}

static void test_endpoints_reject_bad_arguments(void **state)
{
    (void)state;
    csend_endpoint ep;
    csend_error err;
    assert_int_equal(csend_endpoint_from_host(CSEND_AF_INTER_NETWORK, NULL, 80, &ep, &err), -1);
    assert_int_equal(err.kind, CSEND_ERR_ARGUMENT_NULL);
    assert_string_equal(err.param_name, "host");
    assert_int_equal(csend_endpoint_from_host(CSEND_AF_INTER_NETWORK, "127.0.0.1", 65536, &ep, &err), -1);
    assert_int_equal(err.kind, CSEND_ERR_ARGUMENT_OUT_OF_RANGE);
    assert_string_equal(err.param_name, "port");
    assert_int_equal(csend_endpoint_from_host(CSEND_AF_INTER_NETWORK, "no-such-host.invalid", 1, &ep, &err), -1);
    assert_int_equal(err.kind, CSEND_ERR_SOCKET);
    assert_int_equal(csend_endpoint_from_host(CSEND_AF_INTER_NETWORK, "localhost", 80, &ep, &err), 0);
    char path[200];
    memset(path, 'p', sizeof path - 1);
    path[sizeof path - 1] = '\0';
    assert_int_equal(csend_endpoint_from_path(path, &ep, &err), -1);
    assert_int_equal(err.kind, CSEND_ERR_ARGUMENT_OUT_OF_RANGE);
    assert_string_equal(err.param_name, "path");
    /* As .NET's UnixDomainSocketEndPoint: empty is out of range, and so is
     * a path that leaves no room in sun_path (108) for its NUL. */
    assert_int_equal(csend_endpoint_from_path("", &ep, &err), -1);
    assert_int_equal(err.kind, CSEND_ERR_ARGUMENT_OUT_OF_RANGE);
    path[108] = '\0';
    assert_int_equal(csend_endpoint_from_path(path, &ep, &err), -1);
    path[107] = '\0';
    assert_int_equal(csend_endpoint_from_path(path, &ep, &err), 0);
    assert_int_equal(csend_endpoint_from_path("/tmp/x.sock", &ep, &err), 0);
    char host[128];
    int port;
    assert_int_equal(csend_endpoint_format(&ep, host, sizeof host, &port), CSEND_AF_UNIX);
    assert_string_equal(host, "/tmp/x.sock");
}

const struct CMUnitTest error_tests[] = {
    cmocka_unit_test(test_every_errno_maps_as_the_table_says),
    cmocka_unit_test(test_socket_error_numbers_are_the_documented_ones),
    cmocka_unit_test(test_messages_follow_modern_dotnet),
    cmocka_unit_test(test_trace_logs_send_result_and_failure_but_not_argument_errors),
    cmocka_unit_test(test_trace_dumps_at_most_1024_bytes),
    cmocka_unit_test(test_endpoints_reject_bad_arguments),
};
const size_t error_test_count = sizeof error_tests / sizeof error_tests[0];
