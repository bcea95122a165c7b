/* Bad inputs to every public C function: a NULL socket, a NULL error value,
 * NULL buffers and endpoints, integers beyond every range, a closed socket.
 * Each gets its documented error kind and parameter; none crashes. */
#include "support.h"

#include <stdint.h>
#include <string.h>
#include <unistd.h>

static int param_is(const char *got, const char *want)
{
    return want == NULL || (got != NULL && strcmp(got, want) == 0);
}

#define EXPECT(call, want_kind, want_param)                                                   \
    do {                                                                                      \
        memset(&err, 0, sizeof err);                                                          \
        int64_t rc_ = (int64_t)(call);                                                        \
        if (rc_ != -1 || err.kind != (want_kind) || !param_is(err.param_name, (want_param)))  \
            fail_msg("%s: rc %lld kind %d param %s: %s", #call, (long long)rc_, err.kind,     \
                     err.param_name ? err.param_name : "-", err.message);                     \
    } while (0)

static void test_null_socket_is_argument_null_for_every_operation(void **state)
{
    (void)state;
    csend_error err;
    csend_endpoint ep;
    csend_segment seg = {"a", 1};
    char buf[4];
    const char *p = "socket";
    EXPECT(csend_send(NULL, "abc", 3, 0, 3, 0, &err), CSEND_ERR_ARGUMENT_NULL, p);
    EXPECT(csend_send_to(NULL, "abc", 3, 0, 3, 0, &ep, &err), CSEND_ERR_ARGUMENT_NULL, p);
    EXPECT(csend_send_segments(NULL, &seg, 1, 0, &err), CSEND_ERR_ARGUMENT_NULL, p);
    EXPECT(csend_receive(NULL, buf, 4, 0, 4, 0, &err), CSEND_ERR_ARGUMENT_NULL, p);
    EXPECT(csend_connect(NULL, &ep, &err), CSEND_ERR_ARGUMENT_NULL, p);
    EXPECT(csend_bind(NULL, &ep, &err), CSEND_ERR_ARGUMENT_NULL, p);
    EXPECT(csend_listen(NULL, 1, &err), CSEND_ERR_ARGUMENT_NULL, p);
    memset(&err, 0, sizeof err);
    assert_null(csend_accept(NULL, &err));
    assert_int_equal(err.kind, CSEND_ERR_ARGUMENT_NULL);
    EXPECT(csend_shutdown(NULL, 1, &err), CSEND_ERR_ARGUMENT_NULL, p);
    EXPECT(csend_get_blocking(NULL, &err), CSEND_ERR_ARGUMENT_NULL, p);
    EXPECT(csend_set_blocking(NULL, 1, &err), CSEND_ERR_ARGUMENT_NULL, p);
    EXPECT(csend_get_send_timeout(NULL, &err), CSEND_ERR_ARGUMENT_NULL, p);
    EXPECT(csend_set_send_timeout(NULL, 1, &err), CSEND_ERR_ARGUMENT_NULL, p);
    EXPECT(csend_get_receive_timeout(NULL, &err), CSEND_ERR_ARGUMENT_NULL, p);
    EXPECT(csend_set_receive_timeout(NULL, 1, &err), CSEND_ERR_ARGUMENT_NULL, p);
    EXPECT(csend_get_available(NULL, &err), CSEND_ERR_ARGUMENT_NULL, p);
    EXPECT(csend_get_no_delay(NULL, &err), CSEND_ERR_ARGUMENT_NULL, p);
    EXPECT(csend_set_no_delay(NULL, 1, &err), CSEND_ERR_ARGUMENT_NULL, p);
    EXPECT(csend_get_local_endpoint(NULL, &ep, &err), CSEND_ERR_ARGUMENT_NULL, p);
    EXPECT(csend_get_remote_endpoint(NULL, &ep, &err), CSEND_ERR_ARGUMENT_NULL, p);
    /* The plain getters and the lifecycle answer as for a closed socket. */
    assert_int_equal(csend_get_fd(NULL), -1);
    assert_int_equal(csend_is_closed(NULL), 1);
    assert_int_equal(csend_get_connected(NULL), 0);
    assert_int_equal(csend_get_family(NULL), -1);
    csend_socket_set_hooks(NULL, NULL);
    csend_close(NULL);
    csend_socket_free(NULL);
}

static void test_null_error_value_is_allowed_everywhere(void **state)
{
    (void)state;
    csend_socket *s;
    int peer;
    unix_pair(&s, &peer);
    assert_int_equal(csend_send(s, NULL, 0, 0, 0, 0, NULL), -1);
    assert_int_equal(csend_send(s, "abc", 3, 4, 0, 0, NULL), -1);
    assert_int_equal(csend_send(s, "abc", 3, 0, 3, 2, NULL), -1);
    assert_int_equal(csend_send(s, "abc", 3, 0, 3, 0, NULL), 3);
    assert_int_equal(csend_set_send_timeout(s, -5, NULL), -1);
    assert_int_equal(csend_listen(NULL, 1, NULL), -1);
    assert_null(csend_socket_open(1LL << 40, 1, 0, NULL));
    assert_null(csend_socket_from_fd(-1, NULL));
    assert_int_equal(csend_dup_fd(-1, NULL), -1);
    csend_close(s);
    assert_int_equal(csend_send(s, "abc", 3, 0, 3, 0, NULL), -1);
    assert_int_equal(csend_get_ttl(s, NULL), -1);
    csend_socket_free(s);
    close(peer);
}

static void test_null_endpoints_buffers_and_huge_values(void **state)
{
    (void)state;
    csend_error err;
    csend_socket *s;
    int peer;
    unix_pair(&s, &peer);
    csend_endpoint ep;
    EXPECT(csend_send_to(s, "a", 1, 0, 1, 0, NULL, &err), CSEND_ERR_ARGUMENT_NULL, "remoteEP");
    EXPECT(csend_connect(s, NULL, &err), CSEND_ERR_ARGUMENT_NULL, "remoteEP");
    EXPECT(csend_bind(s, NULL, &err), CSEND_ERR_ARGUMENT_NULL, "localEP");
    EXPECT(csend_get_local_endpoint(s, NULL, &err), CSEND_ERR_ARGUMENT_NULL, "ep");
    EXPECT(csend_endpoint_from_host(CSEND_AF_INTER_NETWORK, "127.0.0.1", 1, NULL, &err),
           CSEND_ERR_ARGUMENT_NULL, "ep");
    EXPECT(csend_endpoint_from_host(CSEND_AF_INTER_NETWORK, NULL, 1, &ep, &err),
           CSEND_ERR_ARGUMENT_NULL, "host");
    EXPECT(csend_endpoint_from_host(CSEND_AF_INTER_NETWORK, "127.0.0.1", INT64_MAX, &ep, &err),
           CSEND_ERR_ARGUMENT_OUT_OF_RANGE, "port");
    EXPECT(csend_endpoint_from_path(NULL, &ep, &err), CSEND_ERR_ARGUMENT_NULL, "path");
    EXPECT(csend_endpoint_from_path("x", NULL, &err), CSEND_ERR_ARGUMENT_NULL, "ep");
    assert_int_equal(csend_endpoint_format(NULL, NULL, 0, NULL), -1);
    EXPECT(csend_send_segments(s, NULL, 1, 0, &err), CSEND_ERR_ARGUMENT_NULL, "buffers");
    csend_segment bad[2] = {{"a", 1}, {NULL, 1}};
    EXPECT(csend_send_segments(s, bad, 2, 0, &err), CSEND_ERR_ARGUMENT_NULL, "buffers");
    bad[1] = (csend_segment){"b", -1};
    EXPECT(csend_send_segments(s, bad, 2, 0, &err), CSEND_ERR_ARGUMENT_NULL, "buffers");
    EXPECT(csend_send_segments(s, bad, INT64_MIN, 0, &err), CSEND_ERR_ARGUMENT, "buffers");
    csend_segment wide[2] = {{"a", INT64_MAX}, {"b", 1}}; /* lengths beyond int64 together */
    EXPECT(csend_send_segments(s, wide, 2, 0, &err), CSEND_ERR_ARGUMENT_OUT_OF_RANGE, "buffers");
    EXPECT(csend_receive(s, NULL, 0, 0, 0, 0, &err), CSEND_ERR_ARGUMENT_NULL, "buffer");
    EXPECT(csend_listen(s, INT64_MAX, &err), CSEND_ERR_ARGUMENT_OUT_OF_RANGE, "backlog");
    EXPECT(csend_shutdown(s, INT64_MIN, &err), CSEND_ERR_ARGUMENT_OUT_OF_RANGE, "how");
    EXPECT(csend_set_send_timeout(s, INT64_MAX, &err), CSEND_ERR_ARGUMENT_OUT_OF_RANGE, "value");
    EXPECT(csend_set_receive_timeout(s, INT64_MIN, &err), CSEND_ERR_ARGUMENT_OUT_OF_RANGE,
           "value");
    const char *params[] = {"addressFamily", "socketType", "protocolType"};
    for (int i = 0; i < 3; i++) {
        int64_t v[3] = {CSEND_AF_INTER_NETWORK, CSEND_SOCK_STREAM, CSEND_PROTO_TCP};
        v[i] = (i % 2) ? INT64_MIN : (1LL << 32) + 2; /* never wrapped to 2 */
        memset(&err, 0, sizeof err);
        assert_null(csend_socket_open(v[0], v[1], v[2], &err));
        assert_int_equal(err.kind, CSEND_ERR_ARGUMENT_OUT_OF_RANGE);
        assert_string_equal(err.param_name, params[i]);
    }
    int64_t fds[] = {-1, (1LL << 32) + 1, INT64_MAX, INT64_MIN};
    for (size_t i = 0; i < sizeof fds / sizeof fds[0]; i++) {
        EXPECT(csend_dup_fd(fds[i], &err), CSEND_ERR_ARGUMENT_OUT_OF_RANGE, "fd");
        memset(&err, 0, sizeof err);
        assert_null(csend_socket_from_fd(fds[i], &err));
        assert_int_equal(err.kind, CSEND_ERR_ARGUMENT_OUT_OF_RANGE);
        assert_string_equal(err.param_name, "fd");
    }
    EXPECT(csend_dup_fd(1 << 30, &err), CSEND_ERR_SOCKET, NULL); /* not open: EBADF */
    assert_int_equal(err.socket_error, CSEND_SOCKET_ERROR_OPERATION_ABORTED);
    assert_non_null(csend_socket_error_table(NULL)); /* the count is optional */
    size_t n = 0;
    assert_non_null(csend_socket_flags_table(&n));
    assert_true(n > 0);
    csend_socket_free(s);
    close(peer);
}

static void test_closed_socket_is_disposed_for_every_operation(void **state)
{
    (void)state;
    csend_error err;
    csend_socket *s;
    int peer;
    unix_pair(&s, &peer);
    csend_close(s);
    csend_close(s); /* idempotent */
    csend_endpoint ep;
    csend_segment seg = {"a", 1};
    char buf[4];
    const csend_error_kind d = CSEND_ERR_OBJECT_DISPOSED;
    /* Disposal wins over every argument check. */
    EXPECT(csend_send(s, NULL, -1, -1, -1, INT64_MAX, &err), d, NULL);
    EXPECT(csend_send_to(s, NULL, 0, 0, 0, 0, NULL, &err), d, NULL);
    EXPECT(csend_send_segments(s, NULL, -1, -1, &err), d, NULL);
    EXPECT(csend_send_segments(s, &seg, 1, 0, &err), d, NULL);
    EXPECT(csend_receive(s, buf, 4, 0, 4, 0, &err), d, NULL);
    EXPECT(csend_connect(s, NULL, &err), d, NULL);
    EXPECT(csend_bind(s, &ep, &err), d, NULL);
    EXPECT(csend_listen(s, INT64_MAX, &err), d, NULL);
    EXPECT(csend_shutdown(s, INT64_MIN, &err), d, NULL);
    EXPECT(csend_get_ttl(s, &err), d, NULL);
    EXPECT(csend_set_socket_option(s, 1LL << 40, 0, 0, &err), d, NULL);
    EXPECT(csend_get_socket_option(s, 0, 0, NULL, NULL, &err), d, NULL);
    EXPECT(csend_set_linger_state(s, NULL, &err), d, NULL);
    EXPECT(csend_receive_from(s, NULL, 0, -1, 0, 0, NULL, &err), d, NULL);
    EXPECT(csend_set_dual_mode(s, 1, &err), d, NULL);
    EXPECT(csend_get_dual_mode(s, &err), d, NULL);
    EXPECT(csend_set_blocking(s, 1, &err), d, NULL);
    EXPECT(csend_set_send_timeout(s, INT64_MAX, &err), d, NULL);
    EXPECT(csend_get_receive_timeout(s, &err), d, NULL);
    EXPECT(csend_get_available(s, &err), d, NULL);
    EXPECT(csend_set_no_delay(s, 1, &err), d, NULL);
    EXPECT(csend_get_remote_endpoint(s, &ep, &err), d, NULL);
    memset(&err, 0, sizeof err);
    assert_null(csend_accept(s, &err));
    assert_int_equal(err.kind, d);
    assert_string_equal(err.object_name, "csend.Socket");
    assert_int_equal(csend_get_fd(s), -1);
    csend_socket_free(s);
    close(peer);
}

const struct CMUnitTest catalogue_tests[] = {
    cmocka_unit_test(test_null_socket_is_argument_null_for_every_operation),
    cmocka_unit_test(test_null_error_value_is_allowed_everywhere),
    cmocka_unit_test(test_null_endpoints_buffers_and_huge_values),
    cmocka_unit_test(test_closed_socket_is_disposed_for_every_operation),
};
const size_t catalogue_test_count = sizeof catalogue_tests / sizeof catalogue_tests[0];
