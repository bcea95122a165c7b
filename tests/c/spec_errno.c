/* contract §4, errno to SocketError, for the C tests. */
#include "support.h"

#include <errno.h>

/* The table of contract §4, written out again here so that the core's copy is
 * checked against the text, not against itself. */
const struct spec_errno spec_errno_rows[] = {
    {EAGAIN, "WouldBlock", 10035}, {EWOULDBLOCK, "WouldBlock", 10035},
    {EPIPE, "Shutdown", 10058}, {ECONNRESET, "ConnectionReset", 10054},
    {ENOTCONN, "NotConnected", 10057}, {EDESTADDRREQ, "DestinationAddressRequired", 10039},
    {EMSGSIZE, "MessageSize", 10040}, {ETIMEDOUT, "TimedOut", 10060},
    {EINTR, "Interrupted", 10004}, {EACCES, "AccessDenied", 10013},
    {EPERM, "AccessDenied", 10013}, {EFAULT, "Fault", 10014},
    {EINVAL, "InvalidArgument", 10022}, {EMFILE, "TooManyOpenSockets", 10024},
    {ENFILE, "TooManyOpenSockets", 10024}, {ENOBUFS, "NoBufferSpaceAvailable", 10055},
    {ENOTSOCK, "NotSocket", 10038}, {EOPNOTSUPP, "OperationNotSupported", 10045},
    {ENOTSUP, "OperationNotSupported", 10045}, {EBADF, "OperationAborted", 995},
    {ECANCELED, "OperationAborted", 995}, {ECONNABORTED, "ConnectionAborted", 10053},
    {ECONNREFUSED, "ConnectionRefused", 10061}, {EHOSTUNREACH, "HostUnreachable", 10065},
    {EHOSTDOWN, "HostDown", 10064}, {ENETUNREACH, "NetworkUnreachable", 10051},
    {ENETDOWN, "NetworkDown", 10050}, {ENETRESET, "NetworkReset", 10052},
    {EADDRINUSE, "AddressAlreadyInUse", 10048}, {EADDRNOTAVAIL, "AddressNotAvailable", 10049},
    {EAFNOSUPPORT, "AddressFamilyNotSupported", 10047},
    {EPFNOSUPPORT, "ProtocolFamilyNotSupported", 10046},
    {EPROTONOSUPPORT, "ProtocolNotSupported", 10043}, {EPROTOTYPE, "ProtocolType", 10041},
    {ESOCKTNOSUPPORT, "SocketNotSupported", 10044}, {ENOPROTOOPT, "ProtocolOption", 10042},
    {EINPROGRESS, "InProgress", 10036}, {EALREADY, "AlreadyInProgress", 10037},
    {EISCONN, "IsConnected", 10056}, {ESHUTDOWN, "Disconnecting", 10101},
    {ENOENT, "AddressNotAvailable", 10049}, {ENXIO, "HostNotFound", 11001},
    {ENODATA, "NoData", 11004}, {EIO, "SocketError", -1}, {ENOMEM, "SocketError", -1},
    {ELOOP, "SocketError", -1},
};

const size_t spec_errno_count = sizeof spec_errno_rows / sizeof spec_errno_rows[0];
