/* The named constants of .NET's enums (SocketError, SocketFlags,
 * AddressFamily, SocketType, ProtocolType) and its exception classes: once,
 * here, for the bindings to publish. */
#include "internal.h"

#define CSEND_X_ROW(upper, name, value) {#name, #upper, value},
static const csend_constant socket_errors[] = {CSEND_SOCKET_ERRORS(CSEND_X_ROW)};
#undef CSEND_X_ROW

static const csend_constant socket_flags[] = {
    {"None", "NONE", CSEND_FLAG_NONE},
    {"OutOfBand", "OUT_OF_BAND", CSEND_FLAG_OUT_OF_BAND},
    {"Peek", "PEEK", CSEND_FLAG_PEEK},
    {"DontRoute", "DONT_ROUTE", CSEND_FLAG_DONT_ROUTE},
    {"MaxIOVectorLength", "MAX_IO_VECTOR_LENGTH", CSEND_FLAG_MAX_IO_VECTOR_LENGTH},
    {"Truncated", "TRUNCATED", CSEND_FLAG_TRUNCATED},
    {"ControlDataTruncated", "CONTROL_DATA_TRUNCATED", CSEND_FLAG_CONTROL_DATA_TRUNCATED},
    {"Broadcast", "BROADCAST", CSEND_FLAG_BROADCAST},
    {"Multicast", "MULTICAST", CSEND_FLAG_MULTICAST},
    {"Partial", "PARTIAL", CSEND_FLAG_PARTIAL},
};

static const csend_constant address_families[] = {
    {"Unspecified", "UNSPECIFIED", CSEND_AF_UNSPECIFIED},
    {"Unix", "UNIX", CSEND_AF_UNIX},
    {"InterNetwork", "INTER_NETWORK", CSEND_AF_INTER_NETWORK},
    {"InterNetworkV6", "INTER_NETWORK_V6", CSEND_AF_INTER_NETWORK_V6},
};

static const csend_constant socket_types[] = {
    {"Stream", "STREAM", CSEND_SOCK_STREAM},
    {"Dgram", "DGRAM", CSEND_SOCK_DGRAM},
    {"Raw", "RAW", CSEND_SOCK_RAW},
    {"Seqpacket", "SEQPACKET", CSEND_SOCK_SEQPACKET},
};

static const csend_constant protocol_types[] = {
    {"Unspecified", "UNSPECIFIED", CSEND_PROTO_UNSPECIFIED},
    {"Tcp", "TCP", CSEND_PROTO_TCP},
    {"Udp", "UDP", CSEND_PROTO_UDP},
};

static const csend_constant option_levels[] = {
    {"IP", "IP", CSEND_OPTION_LEVEL_IP},
    {"Tcp", "TCP", CSEND_OPTION_LEVEL_TCP},
    {"Udp", "UDP", CSEND_OPTION_LEVEL_UDP},
    {"IPv6", "IPV6", CSEND_OPTION_LEVEL_IPV6},
    {"Socket", "SOCKET", CSEND_OPTION_LEVEL_SOCKET},
};

#define CSEND_X_ROW(upper, name, value) {#name, #upper, value},
static const csend_constant option_names[] = {CSEND_OPTION_NAMES(CSEND_X_ROW)};
#undef CSEND_X_ROW

#define TABLE(fn, table)                                   \
    const csend_constant *fn(size_t *count)                \
    {                                                      \
        if (count != NULL)                                 \
            *count = sizeof(table) / sizeof(table[0]);     \
        return table;                                      \
    }
TABLE(csend_socket_error_table, socket_errors)
TABLE(csend_socket_flags_table, socket_flags)
TABLE(csend_address_family_table, address_families)
TABLE(csend_socket_type_table, socket_types)
TABLE(csend_protocol_type_table, protocol_types)
TABLE(csend_option_level_table, option_levels)
TABLE(csend_option_name_table, option_names)
#undef TABLE

const char *csend_socket_error_name(int code)
{
    for (size_t i = 0; i < sizeof(socket_errors) / sizeof(socket_errors[0]); i++)
        if (socket_errors[i].value == code)
            return socket_errors[i].name;
    return NULL;
}


static const csend_error_class error_classes[] = {
    {"Exception", NULL, CSEND_OK},
    {"SystemException", "Exception", CSEND_OK},
    {"ArgumentException", "SystemException", CSEND_ERR_ARGUMENT},
    {"ArgumentNullException", "ArgumentException", CSEND_ERR_ARGUMENT_NULL},
    {"ArgumentOutOfRangeException", "ArgumentException", CSEND_ERR_ARGUMENT_OUT_OF_RANGE},
    {"InvalidOperationException", "SystemException", CSEND_ERR_INVALID_OPERATION},
    {"ObjectDisposedException", "InvalidOperationException", CSEND_ERR_OBJECT_DISPOSED},
    {"SocketException", "SystemException", CSEND_ERR_SOCKET},
    {"OutOfMemoryException", "SystemException", CSEND_ERR_OUT_OF_MEMORY},
    {"OperationCanceledException", "SystemException", CSEND_ERR_RUNTIME_INTERRUPT},
    {"NotSupportedException", "SystemException", CSEND_ERR_NOT_SUPPORTED},
};

const csend_error_class *csend_error_class_table(size_t *count)
{
    if (count != NULL)
        *count = sizeof error_classes / sizeof error_classes[0];
    return error_classes;
}

const char *csend_error_class_name(csend_error_kind kind)
{
    if (kind == CSEND_OK)
        return NULL;
    for (size_t i = 0; i < sizeof error_classes / sizeof error_classes[0]; i++)
        if (error_classes[i].kind == kind)
            return error_classes[i].name;
    return NULL;
}
