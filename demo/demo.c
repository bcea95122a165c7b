/* The seed's example in C: send "This is a test" to a loopback server with
 * Send(msg, 0, msg.Length, None), then show each exception of contract §1. */
#include "csend.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void *echo_server(void *arg)
{
    csend_socket *listener = arg;
    csend_error err;
    csend_socket *c = csend_accept(listener, &err);
    if (c == NULL)
        return NULL;
    char buf[64];
    int64_t n = csend_receive(c, buf, sizeof buf, 0, sizeof buf, CSEND_FLAG_NONE, &err);
    if (n > 0)
        csend_send(c, buf, n, 0, n, CSEND_FLAG_NONE, &err);
    csend_socket_free(c);
    return NULL;
}

static void show(const char *call, int64_t rc, const csend_error *err)
{
    if (rc >= 0) {
        printf("%-46s -> %" PRId64 "\n", call, rc);
        return;
    }
    printf("%-46s -> %s: %s", call, csend_error_class_name(err->kind), err->message);
    if (err->kind == CSEND_ERR_SOCKET)
        printf(" (SocketError %s %d)", csend_socket_error_name(err->socket_error),
               err->socket_error);
    printf("\n");
}

int main(void)
{
    csend_error err;
    csend_endpoint any, where;
    csend_socket *listener = csend_socket_open(CSEND_AF_INTER_NETWORK, CSEND_SOCK_STREAM,
                                               CSEND_PROTO_TCP, &err);
    if (listener == NULL || csend_endpoint_from_host(CSEND_AF_INTER_NETWORK, "127.0.0.1", 0, &any, &err) < 0 ||
        csend_bind(listener, &any, &err) < 0 || csend_listen(listener, 1, &err) < 0 ||
        csend_get_local_endpoint(listener, &where, &err) < 0) {
        fprintf(stderr, "server: %s\n", err.message);
        return 1;
    }
    pthread_t server;
    pthread_create(&server, NULL, echo_server, listener);

    csend_socket *s = csend_socket_open(CSEND_AF_INTER_NETWORK, CSEND_SOCK_STREAM,
                                        CSEND_PROTO_TCP, &err);
    if (s == NULL || csend_connect(s, &where, &err) < 0) {
        fprintf(stderr, "connect: %s\n", err.message);
        return 1;
    }
    const char *msg = "This is a test";
    int64_t len = (int64_t)strlen(msg);
    int64_t sent = csend_send(s, msg, len, 0, len, CSEND_FLAG_NONE, &err);
    if (sent < 0) {
        fprintf(stderr, "%s: %s\n", csend_error_class_name(err.kind), err.message);
        return 1;
    }
    printf("Sent %" PRId64 " bytes.\n", sent);
    char reply[64];
    int64_t got = csend_receive(s, reply, sizeof reply, 0, sizeof reply, CSEND_FLAG_NONE, &err);
    if (got < 0) {
        fprintf(stderr, "receive: %s\n", err.message);
        return 1;
    }
    printf("Received %" PRId64 " bytes: %.*s\n", got, (int)got, reply);
    pthread_join(server, NULL);

    printf("\nThe exceptions of Send, on purpose:\n");
    show("Send(null, 0, 0, None)", csend_send(s, NULL, 0, 0, 0, 0, &err), &err);
    show("Send(msg, -1, 14, None)", csend_send(s, msg, len, -1, len, 0, &err), &err);
    show("Send(msg, 15, 0, None)", csend_send(s, msg, len, 15, 0, 0, &err), &err);
    show("Send(msg, 4, 11, None)", csend_send(s, msg, len, 4, 11, 0, &err), &err);
    show("Send(msg, 0, 14, Peek)", csend_send(s, msg, len, 0, len, CSEND_FLAG_PEEK, &err), &err);
    /* The server has closed: the kernel takes the first Send, the peer
     * answers it with a reset, and the next Send fails (never SIGPIPE). */
    show("Send(msg, 0, 14, None), peer gone", csend_send(s, msg, len, 0, len, 0, &err), &err);
    usleep(50000);
    show("Send(msg, 0, 14, None), after its reset", csend_send(s, msg, len, 0, len, 0, &err), &err);
    csend_close(s);
    show("Send(msg, 0, 14, None) after Close", csend_send(s, msg, len, 0, len, 0, &err), &err);
    csend_socket_free(s);
    csend_socket_free(listener);
    return 0;
}
