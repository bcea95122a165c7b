/*
 * csend — .NET's Socket.Send contract in C.
 *
 * Every function that can fail returns -1 (or NULL) and fills the caller's
 * csend_error; on success the error value is left untouched.  A binding maps
 * csend_error.kind to its exception class and copies the fields: it decides
 * nothing itself.
 */
#ifndef CSEND_H
#define CSEND_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define CSEND_API __attribute__((visibility("default")))
#else
#define CSEND_API
#endif

#define CSEND_VERSION "0.1.0"

/* ---- SocketFlags (.NET values) -------------------------------------- */
enum {
    CSEND_FLAG_NONE = 0x0,
    CSEND_FLAG_OUT_OF_BAND = 0x1,
    CSEND_FLAG_PEEK = 0x2,
    CSEND_FLAG_DONT_ROUTE = 0x4,
    CSEND_FLAG_MAX_IO_VECTOR_LENGTH = 0x10,
    CSEND_FLAG_TRUNCATED = 0x100,
    CSEND_FLAG_CONTROL_DATA_TRUNCATED = 0x200,
    CSEND_FLAG_BROADCAST = 0x400,
    CSEND_FLAG_MULTICAST = 0x800,
    CSEND_FLAG_PARTIAL = 0x8000
};

/* ---- SocketError (Windows Sockets numbers, as .NET documents) -------- */
#define CSEND_SOCKET_ERRORS(X)                                   \
    X(SUCCESS, Success, 0)                                       \
    X(SOCKET_ERROR, SocketError, -1)                             \
    X(INTERRUPTED, Interrupted, 10004)                           \
    X(ACCESS_DENIED, AccessDenied, 10013)                        \
    X(FAULT, Fault, 10014)                                       \
    X(INVALID_ARGUMENT, InvalidArgument, 10022)                  \
    X(TOO_MANY_OPEN_SOCKETS, TooManyOpenSockets, 10024)          \
    X(WOULD_BLOCK, WouldBlock, 10035)                            \
    X(IN_PROGRESS, InProgress, 10036)                            \
    X(ALREADY_IN_PROGRESS, AlreadyInProgress, 10037)             \
    X(NOT_SOCKET, NotSocket, 10038)                              \
    X(DESTINATION_ADDRESS_REQUIRED, DestinationAddressRequired, 10039) \
    X(MESSAGE_SIZE, MessageSize, 10040)                          \
    X(PROTOCOL_TYPE, ProtocolType, 10041)                        \
    X(PROTOCOL_OPTION, ProtocolOption, 10042)                    \
    X(PROTOCOL_NOT_SUPPORTED, ProtocolNotSupported, 10043)       \
    X(SOCKET_NOT_SUPPORTED, SocketNotSupported, 10044)           \
    X(OPERATION_NOT_SUPPORTED, OperationNotSupported, 10045)     \
    X(PROTOCOL_FAMILY_NOT_SUPPORTED, ProtocolFamilyNotSupported, 10046) \
    X(ADDRESS_FAMILY_NOT_SUPPORTED, AddressFamilyNotSupported, 10047) \
    X(ADDRESS_ALREADY_IN_USE, AddressAlreadyInUse, 10048)        \
    X(ADDRESS_NOT_AVAILABLE, AddressNotAvailable, 10049)         \
    X(NETWORK_DOWN, NetworkDown, 10050)                          \
    X(NETWORK_UNREACHABLE, NetworkUnreachable, 10051)            \
    X(NETWORK_RESET, NetworkReset, 10052)                        \
    X(CONNECTION_ABORTED, ConnectionAborted, 10053)              \
    X(CONNECTION_RESET, ConnectionReset, 10054)                  \
    X(NO_BUFFER_SPACE_AVAILABLE, NoBufferSpaceAvailable, 10055)  \
    X(IS_CONNECTED, IsConnected, 10056)                          \
    X(NOT_CONNECTED, NotConnected, 10057)                        \
    X(SHUTDOWN, Shutdown, 10058)                                 \
    X(TIMED_OUT, TimedOut, 10060)                                \
    X(CONNECTION_REFUSED, ConnectionRefused, 10061)              \
    X(HOST_DOWN, HostDown, 10064)                                \
    X(HOST_UNREACHABLE, HostUnreachable, 10065)                  \
    X(PROCESS_LIMIT, ProcessLimit, 10067)                        \
    X(SYSTEM_NOT_READY, SystemNotReady, 10091)                   \
    X(VERSION_NOT_SUPPORTED, VersionNotSupported, 10092)         \
    X(NOT_INITIALIZED, NotInitialized, 10093)                    \
    X(DISCONNECTING, Disconnecting, 10101)                       \
    X(TYPE_NOT_FOUND, TypeNotFound, 10109)                       \
    X(HOST_NOT_FOUND, HostNotFound, 11001)                       \
    X(TRY_AGAIN, TryAgain, 11002)                                \
    X(NO_RECOVERY, NoRecovery, 11003)                            \
    X(NO_DATA, NoData, 11004)                                    \
    X(IO_PENDING, IOPending, 997)                                \
    X(OPERATION_ABORTED, OperationAborted, 995)

#define CSEND_X_ENUM(upper, name, value) CSEND_SOCKET_ERROR_##upper = value,
enum { CSEND_SOCKET_ERRORS(CSEND_X_ENUM) };
#undef CSEND_X_ENUM

/* ---- AddressFamily / SocketType / ProtocolType (.NET values) --------- */
enum {
    CSEND_AF_UNSPECIFIED = 0,
    CSEND_AF_UNIX = 1,
    CSEND_AF_INTER_NETWORK = 2,
    CSEND_AF_INTER_NETWORK_V6 = 23 /* the native AF_INET6 (10) is accepted too */
};
enum {
    CSEND_SOCK_STREAM = 1,
    CSEND_SOCK_DGRAM = 2,
    CSEND_SOCK_RAW = 3,
    CSEND_SOCK_SEQPACKET = 5
};
enum {
    CSEND_PROTO_UNSPECIFIED = 0,
    CSEND_PROTO_TCP = 6,
    CSEND_PROTO_UDP = 17
};
enum { CSEND_SHUTDOWN_RECEIVE = 0, CSEND_SHUTDOWN_SEND = 1, CSEND_SHUTDOWN_BOTH = 2 };

/* ---- SocketOptionLevel / SocketOptionName (.NET values) -------------- */
enum {
    CSEND_OPTION_LEVEL_IP = 0,
    CSEND_OPTION_LEVEL_TCP = 6,
    CSEND_OPTION_LEVEL_UDP = 17,
    CSEND_OPTION_LEVEL_IPV6 = 41,
    CSEND_OPTION_LEVEL_SOCKET = 65535
};
/* Names repeat numbers across levels, as in .NET (NoDelay = Debug = 1). */
#define CSEND_OPTION_NAMES(X)                                      \
    X(DEBUG, Debug, 1)                                             \
    X(ACCEPT_CONNECTION, AcceptConnection, 2)                      \
    X(REUSE_ADDRESS, ReuseAddress, 4)                              \
    X(KEEP_ALIVE, KeepAlive, 8)                                    \
    X(DONT_ROUTE, DontRoute, 16)                                   \
    X(BROADCAST, Broadcast, 32)                                    \
    X(USE_LOOPBACK, UseLoopback, 64)                               \
    X(LINGER, Linger, 128)                                         \
    X(OUT_OF_BAND_INLINE, OutOfBandInline, 256)                    \
    X(DONT_LINGER, DontLinger, -129)                               \
    X(EXCLUSIVE_ADDRESS_USE, ExclusiveAddressUse, -5)              \
    X(SEND_BUFFER, SendBuffer, 4097)                               \
    X(RECEIVE_BUFFER, ReceiveBuffer, 4098)                         \
    X(SEND_LOW_WATER, SendLowWater, 4099)                          \
    X(RECEIVE_LOW_WATER, ReceiveLowWater, 4100)                    \
    X(SEND_TIMEOUT, SendTimeout, 4101)                             \
    X(RECEIVE_TIMEOUT, ReceiveTimeout, 4102)                       \
    X(ERROR, Error, 4103)                                          \
    X(TYPE, Type, 4104)                                            \
    X(REUSE_UNICAST_PORT, ReuseUnicastPort, 12295)                 \
    X(MAX_CONNECTIONS, MaxConnections, 2147483647)                 \
    X(IP_OPTIONS, IPOptions, 1)                                    \
    X(HEADER_INCLUDED, HeaderIncluded, 2)                          \
    X(TYPE_OF_SERVICE, TypeOfService, 3)                           \
    X(IP_TIME_TO_LIVE, IpTimeToLive, 4)                            \
    X(MULTICAST_INTERFACE, MulticastInterface, 9)                  \
    X(MULTICAST_TIME_TO_LIVE, MulticastTimeToLive, 10)             \
    X(MULTICAST_LOOPBACK, MulticastLoopback, 11)                   \
    X(ADD_MEMBERSHIP, AddMembership, 12)                           \
    X(DROP_MEMBERSHIP, DropMembership, 13)                         \
    X(DONT_FRAGMENT, DontFragment, 14)                             \
    X(ADD_SOURCE_MEMBERSHIP, AddSourceMembership, 15)              \
    X(DROP_SOURCE_MEMBERSHIP, DropSourceMembership, 16)            \
    X(BLOCK_SOURCE, BlockSource, 17)                               \
    X(UNBLOCK_SOURCE, UnblockSource, 18)                           \
    X(PACKET_INFORMATION, PacketInformation, 19)                   \
    X(HOP_LIMIT, HopLimit, 21)                                     \
    X(IP_PROTECTION_LEVEL, IPProtectionLevel, 23)                  \
    X(IPV6_ONLY, IPv6Only, 27)                                     \
    X(NO_DELAY, NoDelay, 1)                                        \
    X(BSD_URGENT, BsdUrgent, 2)                                    \
    X(EXPEDITED, Expedited, 2)                                     \
    X(TCP_KEEP_ALIVE_TIME, TcpKeepAliveTime, 3)                    \
    X(FAST_OPEN, FastOpen, 15)                                     \
    X(TCP_KEEP_ALIVE_RETRY_COUNT, TcpKeepAliveRetryCount, 16)      \
    X(TCP_KEEP_ALIVE_INTERVAL, TcpKeepAliveInterval, 17)           \
    X(NO_CHECKSUM, NoChecksum, 1)                                  \
    X(CHECKSUM_COVERAGE, ChecksumCoverage, 20)                     \
    X(UPDATE_ACCEPT_CONTEXT, UpdateAcceptContext, 28683)           \
    X(UPDATE_CONNECT_CONTEXT, UpdateConnectContext, 28688)

#define CSEND_X_ENUM(upper, name, value) CSEND_OPTION_##upper = value,
enum { CSEND_OPTION_NAMES(CSEND_X_ENUM) };
#undef CSEND_X_ENUM

/* A named constant, for bindings that publish the tables above. */
typedef struct csend_constant {
    const char *name;       /* .NET spelling: "ConnectionReset" */
    const char *upper_name; /* "CONNECTION_RESET" */
    int value;
} csend_constant;

CSEND_API const csend_constant *csend_socket_error_table(size_t *count);
CSEND_API const csend_constant *csend_socket_flags_table(size_t *count);
CSEND_API const csend_constant *csend_address_family_table(size_t *count);
CSEND_API const csend_constant *csend_socket_type_table(size_t *count);
CSEND_API const csend_constant *csend_protocol_type_table(size_t *count);
CSEND_API const csend_constant *csend_option_level_table(size_t *count);
CSEND_API const csend_constant *csend_option_name_table(size_t *count);
/* "ConnectionReset" for 10054; NULL for a number that is no SocketError. */
CSEND_API const char *csend_socket_error_name(int code);
/* errno -> SocketError, as .NET on Unix (docs/c-api.md). */
CSEND_API int csend_socket_error_from_errno(int errnum);

/* ---- The error value ------------------------------------------------- */
typedef enum csend_error_kind {
    CSEND_OK = 0,
    CSEND_ERR_ARGUMENT,              /* ArgumentException */
    CSEND_ERR_ARGUMENT_NULL,         /* ArgumentNullException */
    CSEND_ERR_ARGUMENT_OUT_OF_RANGE, /* ArgumentOutOfRangeException */
    CSEND_ERR_INVALID_OPERATION,     /* InvalidOperationException */
    CSEND_ERR_OBJECT_DISPOSED,       /* ObjectDisposedException */
    CSEND_ERR_SOCKET,                /* SocketException */
    CSEND_ERR_OUT_OF_MEMORY,         /* the runtime's own memory error */
    CSEND_ERR_RUNTIME_INTERRUPT,     /* a runtime hook aborted the call; its own exception is pending */
    CSEND_ERR_NOT_SUPPORTED          /* NotSupportedException: a property the family lacks (Ttl on Unix) */
} csend_error_kind;

typedef struct csend_error {
    csend_error_kind kind;
    const char *param_name;   /* argument errors: .NET's parameter name */
    int has_actual_value;
    int64_t actual_value;     /* argument errors: the value given */
    const char *object_name;  /* ObjectDisposedException: "csend.Socket" */
    int socket_error;         /* SocketException: the SocketError number */
    int native_error;         /* SocketException: the errno (0 if none) */
    int64_t bytes_transferred;/* bytes handed to the kernel before the failure */
    char message[256];
} csend_error;

/* The .NET class name of an error kind: "ArgumentNullException". */
CSEND_API const char *csend_error_class_name(csend_error_kind kind);

/* The exception classes as .NET arranges them, parents before children:
 * every class an error kind names, and the classes above them.  kind is
 * CSEND_OK for a class no error is raised as (Exception, SystemException).
 * Bindings build their hierarchies from it. */
typedef struct csend_error_class {
    const char *name;   /* "ObjectDisposedException" */
    const char *parent; /* "InvalidOperationException"; NULL for Exception */
    csend_error_kind kind;
} csend_error_class;
CSEND_API const csend_error_class *csend_error_class_table(size_t *count);

/* ---- Runtime hooks --------------------------------------------------- */
/* A runtime with a global lock (CPython's GIL) lends it out around calls
 * that may block; check_interrupt runs after EINTR with the lock held and
 * returns nonzero to abort the call (CSEND_ERR_RUNTIME_INTERRUPT).  trace,
 * when set, receives the trace lines of the sockets that carry these hooks,
 * with the socket's context (csend_socket_set_context), always with the
 * runtime's lock held; it returns 0 to let the line go to the process-wide
 * destination (csend_set_trace) instead.  Any member may be NULL. */
typedef struct csend_hooks {
    void *(*release)(void);
    void (*reacquire)(void *token);
    int (*check_interrupt)(void);
    int (*trace)(const char *line, void *context);
} csend_hooks;

/* ---- Socket lifecycle ------------------------------------------------ */
/* Ownership of descriptors, on every path: a function that takes a
 * descriptor (csend_socket_from_fd) owns it only when it succeeds; when it
 * fails, the caller still owns the descriptor and must close it.  A socket
 * the core made (csend_socket_open, csend_accept) that cannot be returned is
 * closed by the core. */
typedef struct csend_socket csend_socket;

/* new Socket(af, type, proto): ArgumentOutOfRange addressFamily, socketType
 * or protocolType for a value beyond 32 bits; SocketException from socket(2);
 * OutOfMemory.  The type is read back from the descriptor: SOCK_NONBLOCK or
 * SOCK_CLOEXEC in type never change what kind of socket it is. */
CSEND_API csend_socket *csend_socket_open(int64_t family, int64_t type, int64_t protocol,
                                          csend_error *err);
/* Adopts fd on success; mode, family and type are read from it.
 * ArgumentOutOfRange fd when negative or beyond 32 bits; SocketException
 * NotSocket when fd is no socket; OutOfMemory.  On failure fd stays the
 * caller's. */
CSEND_API csend_socket *csend_socket_from_fd(int64_t fd, csend_error *err);
/* A close-on-exec duplicate of fd, for adopting a descriptor another library
 * keeps owning: ArgumentOutOfRange fd as above; SocketException if dup fails. */
CSEND_API int csend_dup_fd(int64_t fd, csend_error *err);
/* Close (Dispose): idempotent.  Operations waiting in other threads are
 * woken and fail (a TCP socket not shut down for sending is
 * disconnected abortively, anything else shut down); with nothing waiting it
 * is an ordinary close.  The descriptor is released after the last
 * operation in flight returns, and with it the socket file of a Unix-domain
 * path the socket bound. */
CSEND_API void csend_close(csend_socket *s);
/* Closes the socket and gives up the caller's hold on it: the memory goes
 * once no operation uses it any more, so a free from a callback that runs
 * inside an operation on s is safe.  The caller must not use s again. */
CSEND_API void csend_socket_free(csend_socket *s);
/* Lock and trace hooks for every call on s (NULL: none), and the context
 * hooks->trace receives.  Set them before s is shared between threads. */
CSEND_API void csend_socket_set_hooks(csend_socket *s, const csend_hooks *hooks);
CSEND_API void csend_socket_set_context(csend_socket *s, void *context);
/* Fills err with ObjectDisposedException, for a binding whose handle has
 * lost its socket (a Lua userdata after its __gc). */
CSEND_API void csend_error_disposed(csend_error *err);

/* ---- Send and friends --------------------------------------------------- */
/* Send(buffer, offset, size, flags): bytes sent, or -1.  buffer NULL is a
 * null buffer.  ObjectDisposed, ArgumentNull buffer, ArgumentOutOfRange
 * offset/size/socketFlags, SocketException (flags, then errno). */
CSEND_API int64_t csend_send(csend_socket *s, const void *buffer, int64_t buffer_len,
                             int64_t offset, int64_t size, int64_t flags, csend_error *err);

/* The size .NET's shorter overloads send: the rest of the buffer after
 * offset; 0 when offset is itself out of range (the call then reports the
 * offset). */
CSEND_API int64_t csend_rest_of_buffer(int64_t buffer_len, int64_t offset);

/* Send(buffer, offset, size, flags, out SocketError): as csend_send, but a
 * SocketException is no failure here: the bytes handed to the kernel are
 * returned and *socket_error (may be NULL) says why the send stopped
 * (CSEND_SOCKET_ERROR_SUCCESS when it did not).  Disposed and argument
 * errors, and a runtime's interrupt, still return -1 with err filled. */
CSEND_API int64_t csend_try_send(csend_socket *s, const void *buffer, int64_t buffer_len,
                                 int64_t offset, int64_t size, int64_t flags, int *socket_error,
                                 csend_error *err);

/* An endpoint: an address the OS understands. */
typedef struct csend_endpoint {
    struct sockaddr_storage addr;
    socklen_t len;
} csend_endpoint;

/* SendTo(buffer, offset, size, flags, remoteEP): as csend_send, then
 * ArgumentNull remoteEP. */
CSEND_API int64_t csend_send_to(csend_socket *s, const void *buffer, int64_t buffer_len,
                                int64_t offset, int64_t size, int64_t flags,
                                const csend_endpoint *remote, csend_error *err);

/* A buffer of the gather form; base NULL is a null segment. */
typedef struct csend_segment {
    const void *base;
    int64_t len;
} csend_segment;

/* Send(IList<ArraySegment<byte>>, flags): ArgumentNull buffers (the list),
 * Argument buffers (empty list), ArgumentOutOfRange buffers (more than
 * CSEND_SEGMENTS_MAX), ArgumentNull buffers (a segment null), flags, then
 * errno. */
#define CSEND_SEGMENTS_MAX (1 << 24)
CSEND_API int64_t csend_send_segments(csend_socket *s, const csend_segment *segments,
                                      int64_t count, int64_t flags, csend_error *err);
/* The checks csend_send_segments makes before it reads a segment (disposed,
 * then the count): 0, or -1 with err filled.  A binding calls it before it
 * allocates room for count segments. */
CSEND_API int csend_check_segment_count(csend_socket *s, int64_t count, csend_error *err);

/* ---- A Send whose waits the caller makes ------------------------------ *
 * For a coroutine scheduler or an event loop: the core makes every attempt
 * and keeps every rule; the caller only waits for writability between
 * steps, in whatever way its runtime waits (a coroutine yields, a loop
 * watches the descriptor).  No step ever blocks.
 *
 *   csend_pending_send op;
 *   if (csend_send_begin(&op, s, buf, len, offset, size, flags, mode, &err) < 0) ...;
 *   while ((rc = csend_send_step(&op, &wait_ms, &err)) == 0)
 *       wait until csend_send_wait_fd(&op) is writable, for at most wait_ms (-1: no limit);
 *   rc == 1: op.done bytes were sent; rc == -1: err (bytes_transferred = op.done).
 *
 * Modes:
 * - CSEND_PENDING_SEND: Send's contract in whatever mode the socket is.
 *   Blocking: the whole buffer (a datagram at once) or an exception, with
 *   SendTimeout one deadline for the whole send (TimedOut with the bytes
 *   sent); a close wakes the caller's wait and the step fails as a blocked
 *   Send would (ConnectionAborted on a stream).  Non-blocking: the first step
 *   is the one attempt, as Send.
 * - CSEND_PENDING_ASYNC: SendAsync's: neither Blocking nor SendTimeout
 *   applies; the whole buffer or an exception; a close fails it with
 *   OperationAborted. */
typedef enum { CSEND_PENDING_SEND = 0, CSEND_PENDING_ASYNC = 1 } csend_pending_mode;

typedef struct csend_pending_send {
    csend_socket *s;      /* NULL once the operation has ended */
    const char *p;        /* the bytes to send: the caller keeps them alive until it ends */
    int64_t size;         /* of the whole send */
    int64_t done;         /* handed to the kernel so far (readable after the end too) */
    int64_t deadline_ns;  /* CLOCK_MONOTONIC; 0: none */
    int flags;            /* the OS's */
    int mode;
    int tracing;
} csend_pending_send;

/* Send's checks, in its order (ObjectDisposed, ArgumentNull buffer,
 * ArgumentOutOfRange offset/size/socketFlags, SocketException for flags the
 * OS refuses): 0, or -1 with err filled and nothing begun.  op must not hold
 * an operation that has not ended (it would never be let go).  Nothing is sent
 * yet.  Until the operation ends, it holds s's descriptor open (a close
 * shuts the socket down, as for a blocked Send, and releases the descriptor
 * when the operation ends) and counts as a call close must wake. */
CSEND_API int csend_send_begin(csend_pending_send *op, csend_socket *s, const void *buffer,
                               int64_t buffer_len, int64_t offset, int64_t size, int64_t flags,
                               csend_pending_mode mode, csend_error *err);
/* Attempts without blocking until the kernel is full: 1 when the send is
 * complete (op->done bytes), 0 when the caller must wait for the descriptor
 * to be writable, for at most *wait_ms milliseconds (-1: no limit; wait_ms
 * may be NULL), and step again; -1 on failure (err; bytes_transferred is op->done).  On 1 and
 * -1 the operation has ended.  A step after the end is InvalidOperation. */
CSEND_API int csend_send_step(csend_pending_send *op, int *wait_ms, csend_error *err);
/* The descriptor to wait on: the socket's, held open until the operation
 * ends, even once the socket is closed (a scheduler never waits on a
 * number the OS has given to another file); -1 after the end. */
CSEND_API int csend_send_wait_fd(const csend_pending_send *op);
/* Ends an operation before it completed (its caller gave up: a cancelled
 * task, a collected coroutine): op->done says what the kernel took, and the
 * trace says OperationAborted.  Idempotent; a no-op after the end. */
CSEND_API void csend_send_end(csend_pending_send *op);

/* ---- The other operations, in .NET's *Async modes ------------------------ *
 * SendToAsync, SendAsync(segments), ReceiveAsync, ReceiveFromAsync,
 * ConnectAsync and AcceptAsync, for an event loop: each begin runs the
 * synchronous method's checks in its order and returns the operation (NULL
 * with err filled, nothing begun); then, as for the pending send above:
 *
 *   while ((rc = csend_pending_step(op, &err)) == 0)
 *       wait until csend_pending_wait_fd(op) is readable
 *       (csend_pending_wants_read(op)) or writable;
 *   rc == 1: the result (csend_pending_count, csend_pending_remote,
 *   csend_pending_take_accepted); rc == -1: err; then csend_pending_free(op).
 *
 * No step blocks.  Neither Blocking nor the timeouts apply (as .NET's
 * *Async); a close fails the operation with OperationAborted (995).  A send
 * is complete when every byte of a stream was handed over (one datagram
 * otherwise); a receive when any bytes (or the end of the stream) came.
 * Until it ends, an operation holds the socket's descriptor open, as the
 * pending send does. */
typedef struct csend_pending csend_pending;

CSEND_API csend_pending *csend_send_to_begin(csend_socket *s, const void *buffer,
                                             int64_t buffer_len, int64_t offset, int64_t size,
                                             int64_t flags, const csend_endpoint *remote,
                                             csend_error *err);
/* The segments' bytes are read from their bases until the end; the list
 * itself is copied. */
CSEND_API csend_pending *csend_send_segments_begin(csend_socket *s,
                                                   const csend_segment *segments, int64_t count,
                                                   int64_t flags, csend_error *err);
CSEND_API csend_pending *csend_receive_begin(csend_socket *s, void *buffer, int64_t buffer_len,
                                             int64_t offset, int64_t size, int64_t flags,
                                             csend_error *err);
CSEND_API csend_pending *csend_receive_from_begin(csend_socket *s, void *buffer,
                                                  int64_t buffer_len, int64_t offset,
                                                  int64_t size, int64_t flags, csend_error *err);
/* Connect and accept need a descriptor that does not block underneath:
 * csend's own are switched for good (Blocking stays csend's mode, kept with
 * poll); an adopted descriptor that blocks underneath is InvalidOperation
 * (its O_NONBLOCK is never touched). */
CSEND_API csend_pending *csend_connect_begin(csend_socket *s, const csend_endpoint *remote,
                                             csend_error *err);
CSEND_API csend_pending *csend_accept_begin(csend_socket *s, csend_error *err);
/* 1 complete, 0 wait and step again, -1 failed (err).  On 1 and -1 the
 * operation has ended; a step after the end is InvalidOperation. */
CSEND_API int csend_pending_step(csend_pending *op, csend_error *err);
/* The descriptor to wait on (held open until the end), -1 after it. */
CSEND_API int csend_pending_wait_fd(const csend_pending *op);
/* 1: wait for readable (receive, accept); 0: writable (send, connect). */
CSEND_API int csend_pending_wants_read(const csend_pending *op);
/* Bytes moved so far (a send: handed to the kernel; a receive: received). */
CSEND_API int64_t csend_pending_count(const csend_pending *op);
/* ReceiveFrom's sender, once complete: 0, or -1 when there is none. */
CSEND_API int csend_pending_remote(const csend_pending *op, csend_endpoint *remote);
/* Accept's new socket, once complete; the caller owns it (NULL after the
 * first call, and for any other operation). */
CSEND_API csend_socket *csend_pending_take_accepted(csend_pending *op);
/* Ends the operation if it has not ended (given up: OperationAborted in the
 * trace) and frees it, with an accepted socket nobody took.  NULL is a
 * no-op. */
CSEND_API void csend_pending_free(csend_pending *op);

/* Receive(buffer, offset, size, flags): bytes received (0 at end of
 * stream), or -1.  Same argument checks as Send; flags OutOfBand, Peek. */
CSEND_API int64_t csend_receive(csend_socket *s, void *buffer, int64_t buffer_len,
                                int64_t offset, int64_t size, int64_t flags, csend_error *err);

/* ReceiveFrom(buffer, offset, size, flags, ref remoteEP): as csend_receive,
 * and *remote receives the sender (len 0 when the OS names none).  remote
 * NULL is ArgumentNull remoteEP; a socket not yet bound (LocalEndPoint null)
 * is InvalidOperation, as .NET. */
CSEND_API int64_t csend_receive_from(csend_socket *s, void *buffer, int64_t buffer_len,
                                     int64_t offset, int64_t size, int64_t flags,
                                     csend_endpoint *remote, csend_error *err);

/* Receive's checks of a size when the runtime makes the buffer for it (Lua's
 * receive(size) -> string): ObjectDisposed, then ArgumentOutOfRange size
 * outside 0..INT32_MAX, as csend_receive would report for a buffer of that
 * size.  0, or -1 with err filled. */
CSEND_API int csend_check_receive_size(csend_socket *s, int64_t size, csend_error *err);

/* ---- Connection ------------------------------------------------------ */
/* Connect: ArgumentNull remoteEP; SocketException (a blocking connect waits
 * as the other blocking calls do, and a signal's handler runs; a
 * non-blocking one still in progress is WouldBlock, as .NET). */
CSEND_API int csend_connect(csend_socket *s, const csend_endpoint *remote, csend_error *err);
/* Bind: ArgumentNull localEP; SocketException. */
CSEND_API int csend_bind(csend_socket *s, const csend_endpoint *local, csend_error *err);
/* backlog < 0: ArgumentOutOfRange backlog. */
CSEND_API int csend_listen(csend_socket *s, int64_t backlog, csend_error *err);
/* The backlog of .NET's Listen() without one: int.MaxValue (the kernel caps
 * it at net.core.somaxconn). */
#define CSEND_LISTEN_BACKLOG_DEFAULT INT32_MAX
/* Accept: the new connected socket (it inherits s's hooks and context), or
 * NULL: InvalidOperation for a socket that does not listen (.NET's "You must
 * call the Bind/Listen method..."), SocketException, OutOfMemory (the new
 * connection is then closed). */
CSEND_API csend_socket *csend_accept(csend_socket *s, csend_error *err);
/* how: CSEND_SHUTDOWN_*; anything else ArgumentOutOfRange how.  A socket
 * that was once connected shuts down without error even after its
 * connection closed (.NET ignores ENOTCONN there). */
CSEND_API int csend_shutdown(csend_socket *s, int64_t how, csend_error *err);

/* ---- Properties: getters return -1 with err set on failure ----------- */
/* Blocking reads the mode asked for, even after close (as .NET). */
CSEND_API int csend_get_blocking(csend_socket *s, csend_error *err);
/* Blocking is csend's own mode (contract §3): the driver waits with poll.  The
 * O_NONBLOCK flag follows it only on a descriptor csend made (open,
 * accept); an adopted one (csend_socket_from_fd) keeps the flag its owner
 * set, since every duplicate shares it. */
CSEND_API int csend_set_blocking(csend_socket *s, int blocking, csend_error *err);
/* Milliseconds, 0 = infinite; -1 is read back as 0; < -1 ArgumentOutOfRange value. */
CSEND_API int64_t csend_get_send_timeout(csend_socket *s, csend_error *err);
CSEND_API int csend_set_send_timeout(csend_socket *s, int64_t ms, csend_error *err);
CSEND_API int64_t csend_get_receive_timeout(csend_socket *s, csend_error *err);
CSEND_API int csend_set_receive_timeout(csend_socket *s, int64_t ms, csend_error *err);
CSEND_API int64_t csend_get_available(csend_socket *s, csend_error *err);
/* Connected: as of the last operation (false after a failed Send; true once
 * a non-blocking Connect has completed). Never fails. */
CSEND_API int csend_get_connected(csend_socket *s);
CSEND_API int csend_get_no_delay(csend_socket *s, csend_error *err);
CSEND_API int csend_set_no_delay(csend_socket *s, int on, csend_error *err);
/* A socket not yet bound (by Bind, Connect, Accept or a SendTo that
 * succeeded) yields an endpoint of len 0 (.NET: null). */
CSEND_API int csend_get_local_endpoint(csend_socket *s, csend_endpoint *ep, csend_error *err);
/* A socket with no peer yields an endpoint of len 0 (.NET: null). */
CSEND_API int csend_get_remote_endpoint(csend_socket *s, csend_endpoint *ep, csend_error *err);
/* The descriptor, or -1 once closed. */
CSEND_API int csend_get_fd(const csend_socket *s);
CSEND_API int csend_is_closed(const csend_socket *s);
/* The family, type and protocol in .NET numbers. */
CSEND_API int csend_get_family(const csend_socket *s);
CSEND_API int csend_get_type(const csend_socket *s);
CSEND_API int csend_get_protocol(const csend_socket *s);

/* ---- Socket options (contract §9): SetSocketOption / GetSocketOption ------ */
/* Every option call checks disposal first, then level and name (32-bit,
 * else ArgumentOutOfRange optionLevel/optionName); a pair Linux does not
 * have is SocketException ProtocolOption, as .NET on Unix.  SendTimeout and
 * ReceiveTimeout are the properties' values; ReuseAddress and
 * ExclusiveAddressUse are SO_REUSEPORT (as .NET on Unix); DontFragment is
 * the MTU discovery mode. */
typedef struct csend_linger {
    int enabled;
    int64_t seconds;
} csend_linger;
/* Writes the value (for Linger: 1 when enabled) and, for Linger and
 * DontLinger, *linger when not NULL.  Returns 1 for Linger (the value is a
 * LingerOption), 0 for an integer, -1 on failure. */
CSEND_API int csend_get_socket_option(csend_socket *s, int64_t level, int64_t name,
                                      int64_t *value, csend_linger *linger, csend_error *err);
/* An integer (or boolean 0/1) value: beyond 32 bits ArgumentOutOfRange
 * optionValue; the OS's refusal is a SocketException. */
CSEND_API int csend_set_socket_option(csend_socket *s, int64_t level, int64_t name,
                                      int64_t value, csend_error *err);
/* An object value (a LingerOption), as .NET's SetSocketOption(level, name,
 * object): NULL is ArgumentNull optionValue; any pair but (Socket, Linger),
 * or seconds outside 0..65535, is Argument optionValue. */
CSEND_API int csend_set_socket_option_linger(csend_socket *s, int64_t level, int64_t name,
                                             const csend_linger *value, csend_error *err);

/* The properties built on options, with .NET's checks.  Setters:
 * ObjectDisposed, then ArgumentOutOfRange value (a buffer size < 0, a Ttl
 * outside 0..255), then NotSupported where the family has no such option
 * (Ttl: IPv4 and IPv6; DontFragment: IPv4; DualMode's setter: IPv6 — its
 * getter reads false elsewhere), then the OS.  Error reads (and clears) the
 * pending error as its SocketError number, as .NET. */
CSEND_API int64_t csend_get_send_buffer_size(csend_socket *s, csend_error *err);
CSEND_API int csend_set_send_buffer_size(csend_socket *s, int64_t size, csend_error *err);
CSEND_API int64_t csend_get_receive_buffer_size(csend_socket *s, csend_error *err);
CSEND_API int csend_set_receive_buffer_size(csend_socket *s, int64_t size, csend_error *err);
CSEND_API int64_t csend_get_ttl(csend_socket *s, csend_error *err);
CSEND_API int csend_set_ttl(csend_socket *s, int64_t ttl, csend_error *err);
CSEND_API int csend_get_enable_broadcast(csend_socket *s, csend_error *err);
CSEND_API int csend_set_enable_broadcast(csend_socket *s, int on, csend_error *err);
CSEND_API int csend_get_dont_fragment(csend_socket *s, csend_error *err);
CSEND_API int csend_set_dont_fragment(csend_socket *s, int on, csend_error *err);
CSEND_API int csend_get_dual_mode(csend_socket *s, csend_error *err);
CSEND_API int csend_set_dual_mode(csend_socket *s, int on, csend_error *err);
/* LingerState: as Get/SetSocketOption(Socket, Linger); a NULL value is
 * ArgumentNull (value for the getter, optionValue for the setter). */
CSEND_API int csend_get_linger_state(csend_socket *s, csend_linger *linger, csend_error *err);
CSEND_API int csend_set_linger_state(csend_socket *s, const csend_linger *value,
                                     csend_error *err);

/* ---- Endpoints ------------------------------------------------------- */
/* host (numeric or a name) and port for a socket of this family; host NULL
 * is ArgumentNull host, port outside 0..65535 ArgumentOutOfRange port,
 * an unresolvable host SocketException HostNotFound. */
CSEND_API int csend_endpoint_from_host(int family, const char *host, int64_t port,
                                       csend_endpoint *ep, csend_error *err);
/* A Unix-domain path: ArgumentNull path; ArgumentOutOfRange path when empty
 * or longer than 107 bytes (sun_path and its NUL), as .NET's
 * UnixDomainSocketEndPoint. */
CSEND_API int csend_endpoint_from_path(const char *path, csend_endpoint *ep, csend_error *err);
/* The endpoint (host, port) means for s: a Unix-domain socket takes host as
 * the path (port unused), any other a host and port of its family.
 * ObjectDisposed first (a closed socket resolves nothing), then the errors
 * of csend_endpoint_from_path or csend_endpoint_from_host. */
CSEND_API int csend_endpoint_for_socket(csend_socket *s, const char *host, int64_t port,
                                        csend_endpoint *ep, csend_error *err);
/* Writes the host (or Unix path) and port; returns the .NET family, -1 when
 * the endpoint is empty. */
CSEND_API int csend_endpoint_format(const csend_endpoint *ep, char *host, size_t host_len, int *port);

/* ---- Tracing ------------------------------------------------------------ */
typedef void (*csend_trace_fn)(const char *line, void *userdata);
/* on: nonzero to trace; fn NULL writes lines to stderr.  Also switched on by
 * the environment variable CSEND_TRACE=1 at the first traced call.  Lines of
 * a socket whose hooks have a trace function go there first.  fn runs under
 * a lock: once csend_set_trace returns, no thread is in the previous fn (so
 * its userdata may go), and fn itself may call csend_set_trace. */
CSEND_API void csend_set_trace(int on, csend_trace_fn fn, void *userdata);
/* Switches tracing on or off and leaves the destination as it is (for a
 * binding, whose lines go through its hooks). */
CSEND_API void csend_enable_trace(int on);
CSEND_API int csend_get_trace(void);

#ifdef __cplusplus
}
#endif
#endif
