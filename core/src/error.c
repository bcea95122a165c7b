/* The errno table and the error value: every way to fill a csend_error. */
#include "internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

int csend_socket_error_from_errno(int errnum)
{
    switch (errnum) {
    case 0: return CSEND_SOCKET_ERROR_SUCCESS;
    case EAGAIN: return CSEND_SOCKET_ERROR_WOULD_BLOCK;
#if EWOULDBLOCK != EAGAIN
    case EWOULDBLOCK: return CSEND_SOCKET_ERROR_WOULD_BLOCK;
#endif
    case EPIPE: return CSEND_SOCKET_ERROR_SHUTDOWN;
    case ECONNRESET: return CSEND_SOCKET_ERROR_CONNECTION_RESET;
    case ENOTCONN: return CSEND_SOCKET_ERROR_NOT_CONNECTED;
    case EDESTADDRREQ: return CSEND_SOCKET_ERROR_DESTINATION_ADDRESS_REQUIRED;
    case EMSGSIZE: return CSEND_SOCKET_ERROR_MESSAGE_SIZE;
    case ETIMEDOUT: return CSEND_SOCKET_ERROR_TIMED_OUT;
    case EINTR: return CSEND_SOCKET_ERROR_INTERRUPTED;
    case EACCES: case EPERM: return CSEND_SOCKET_ERROR_ACCESS_DENIED;
    case EFAULT: return CSEND_SOCKET_ERROR_FAULT;
    case EINVAL: return CSEND_SOCKET_ERROR_INVALID_ARGUMENT;
    case EMFILE: case ENFILE: return CSEND_SOCKET_ERROR_TOO_MANY_OPEN_SOCKETS;
    case ENOBUFS: return CSEND_SOCKET_ERROR_NO_BUFFER_SPACE_AVAILABLE;
    case ENOTSOCK: return CSEND_SOCKET_ERROR_NOT_SOCKET;
    case EOPNOTSUPP: return CSEND_SOCKET_ERROR_OPERATION_NOT_SUPPORTED;
#if ENOTSUP != EOPNOTSUPP
    case ENOTSUP: return CSEND_SOCKET_ERROR_OPERATION_NOT_SUPPORTED;
#endif
    case EBADF: case ECANCELED: return CSEND_SOCKET_ERROR_OPERATION_ABORTED;
    case ECONNABORTED: return CSEND_SOCKET_ERROR_CONNECTION_ABORTED;
    case ECONNREFUSED: return CSEND_SOCKET_ERROR_CONNECTION_REFUSED;
    case EHOSTUNREACH: return CSEND_SOCKET_ERROR_HOST_UNREACHABLE;
    case EHOSTDOWN: return CSEND_SOCKET_ERROR_HOST_DOWN;
    case ENETUNREACH: return CSEND_SOCKET_ERROR_NETWORK_UNREACHABLE;
    case ENETDOWN: return CSEND_SOCKET_ERROR_NETWORK_DOWN;
    case ENETRESET: return CSEND_SOCKET_ERROR_NETWORK_RESET;
    case EADDRINUSE: return CSEND_SOCKET_ERROR_ADDRESS_ALREADY_IN_USE;
    case EADDRNOTAVAIL: return CSEND_SOCKET_ERROR_ADDRESS_NOT_AVAILABLE;
    case EAFNOSUPPORT: return CSEND_SOCKET_ERROR_ADDRESS_FAMILY_NOT_SUPPORTED;
    case EPFNOSUPPORT: return CSEND_SOCKET_ERROR_PROTOCOL_FAMILY_NOT_SUPPORTED;
    case EPROTONOSUPPORT: return CSEND_SOCKET_ERROR_PROTOCOL_NOT_SUPPORTED;
    case EPROTOTYPE: return CSEND_SOCKET_ERROR_PROTOCOL_TYPE;
    case ESOCKTNOSUPPORT: return CSEND_SOCKET_ERROR_SOCKET_NOT_SUPPORTED;
    case ENOPROTOOPT: return CSEND_SOCKET_ERROR_PROTOCOL_OPTION;
    case EINPROGRESS: return CSEND_SOCKET_ERROR_IN_PROGRESS;
    case EALREADY: return CSEND_SOCKET_ERROR_ALREADY_IN_PROGRESS;
    case EISCONN: return CSEND_SOCKET_ERROR_IS_CONNECTED;
    case ESHUTDOWN: return CSEND_SOCKET_ERROR_DISCONNECTING;
    case ENOENT: return CSEND_SOCKET_ERROR_ADDRESS_NOT_AVAILABLE;
    case ENXIO: return CSEND_SOCKET_ERROR_HOST_NOT_FOUND;
    case ENODATA: return CSEND_SOCKET_ERROR_NO_DATA;
    default: return CSEND_SOCKET_ERROR_SOCKET_ERROR;
    }
}

static void reset(csend_error *err, csend_error_kind kind)
{
    err->kind = kind;
    err->param_name = NULL;
    err->has_actual_value = 0;
    err->actual_value = 0;
    err->object_name = NULL;
    err->socket_error = CSEND_SOCKET_ERROR_SUCCESS;
    err->native_error = 0;
    err->bytes_transferred = 0;
    err->message[0] = '\0';
}

void csend__argument_null(csend_error *err, const char *param)
{
    reset(err, CSEND_ERR_ARGUMENT_NULL);
    err->param_name = param;
    snprintf(err->message, sizeof err->message, "Value cannot be null. (Parameter '%s')", param);
}

void csend__argument(csend_error *err, const char *param, const char *what)
{
    reset(err, CSEND_ERR_ARGUMENT);
    err->param_name = param;
    snprintf(err->message, sizeof err->message, "%s (Parameter '%s')", what, param);
}

static void out_of_range(csend_error *err, const char *param, int64_t value)
{
    reset(err, CSEND_ERR_ARGUMENT_OUT_OF_RANGE);
    err->param_name = param;
    err->has_actual_value = 1;
    err->actual_value = value;
}

void csend__out_of_range_min(csend_error *err, const char *param, int64_t value, int64_t min)
{
    out_of_range(err, param, value);
    snprintf(err->message, sizeof err->message,
             "%s ('%" PRId64 "') must be greater than or equal to '%" PRId64 "'. (Parameter '%s')",
             param, value, min, param);
}

void csend__out_of_range_max(csend_error *err, const char *param, int64_t value, int64_t max)
{
    out_of_range(err, param, value);
    snprintf(err->message, sizeof err->message,
             "%s ('%" PRId64 "') must be less than or equal to '%" PRId64 "'. (Parameter '%s')",
             param, value, max, param);
}
void csend__out_of_range_message(csend_error *err, const char *param, int64_t value,
                                 const char *what)
{
    out_of_range(err, param, value);
    snprintf(err->message, sizeof err->message, "%s (Parameter '%s')", what, param);
}

void csend__invalid_operation(csend_error *err, const char *message)
{
    reset(err, CSEND_ERR_INVALID_OPERATION);
    snprintf(err->message, sizeof err->message, "%s", message);
}

void csend__not_supported(csend_error *err, const char *message)
{
    reset(err, CSEND_ERR_NOT_SUPPORTED);
    snprintf(err->message, sizeof err->message, "%s", message);
}

void csend__object_disposed(csend_error *err)
{
    reset(err, CSEND_ERR_OBJECT_DISPOSED);
    err->object_name = "csend.Socket";
    snprintf(err->message, sizeof err->message,
             "Cannot access a disposed object. Object name: 'csend.Socket'.");
}

void csend_error_disposed(csend_error *err)
{
    if (err != NULL)
        csend__object_disposed(err);
}

void csend__socket_error(csend_error *err, int socket_error, int errnum, int64_t transferred)
{
    reset(err, CSEND_ERR_SOCKET);
    err->socket_error = socket_error;
    err->native_error = errnum;
    err->bytes_transferred = transferred;
    if (errnum != 0) {
        char text[200];
        /* GNU strerror_r returns the text, XSI fills ours: accept both. */
#if defined(__GLIBC__) && defined(_GNU_SOURCE)
        const char *s = strerror_r(errnum, text, sizeof text);
#else
        const char *s = strerror_r(errnum, text, sizeof text) == 0 ? text : "Unknown error";
#endif
        snprintf(err->message, sizeof err->message, "%s", s);
    } else {
        const char *name = csend_socket_error_name(socket_error);
        snprintf(err->message, sizeof err->message, "%s", name ? name : "Socket error");
    }
}

void csend__socket_errno(csend_error *err, int errnum, int64_t transferred)
{
    csend__socket_error(err, csend_socket_error_from_errno(errnum), errnum, transferred);
}

void csend__out_of_memory(csend_error *err)
{
    reset(err, CSEND_ERR_OUT_OF_MEMORY);
    snprintf(err->message, sizeof err->message, "Out of memory.");
}

void csend__runtime_interrupt(csend_error *err, int64_t transferred)
{
    reset(err, CSEND_ERR_RUNTIME_INTERRUPT);
    err->bytes_transferred = transferred;
    snprintf(err->message, sizeof err->message, "Interrupted by the runtime.");
}
