/* Every argument check of the core: ranges, contract §1's buffer rules and §2's
 * flags rule in .NET's order, the gather form's list. */
#include "internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

int csend__check_range(csend_error *err, const char *param, int64_t value, int64_t min,
                       int64_t max)
{
    if (value < min)
        csend__out_of_range_min(err, param, value, min);
    else if (value > max)
        csend__out_of_range_max(err, param, value, max);
    else
        return 0;
    return -1;
}

int64_t csend_rest_of_buffer(int64_t buffer_len, int64_t offset)
{
    return offset >= 0 && offset <= buffer_len ? buffer_len - offset : 0;
}

/* The reason a buffer failed csend__check_buffer, in .NET's order. */
int csend__check_buffer_failed(const void *buffer, int64_t len, int64_t offset, int64_t size,
                               csend_error *err)
{
    if (buffer == NULL) {
        csend__argument_null(err, "buffer");
        return -1;
    }
    int64_t limit = len < INT32_MAX ? len : INT32_MAX;
    if (offset < 0) {
        csend__out_of_range_min(err, "offset", offset, 0);
        return -1;
    }
    if (offset > limit) {
        csend__out_of_range_max(err, "offset", offset, limit);
        return -1;
    }
    int64_t rest = len - offset < INT32_MAX ? len - offset : INT32_MAX;
    if (size < 0) {
        csend__out_of_range_min(err, "size", size, 0);
        return -1;
    }
    csend__out_of_range_max(err, "size", size, rest);
    return -1;
}

/* SocketFlags is a 32-bit enum: any 32-bit pattern (signed or not) is a
 * value, bit 31 included; a wider integer is out of range. */
static int flags_bits(int64_t flags, uint32_t *bits, csend_error *err)
{
    if (csend__check_range(err, "socketFlags", flags, INT32_MIN, (int64_t)UINT32_MAX) < 0)
        return -1;
    *bits = (uint32_t)flags;
    return 0;
}

/* SocketException OperationNotSupported whose message names the refused
 * bits: "socketFlags 0x3: Peek (0x2) is not valid for Send". */
static void refused_flags(uint32_t bits, uint32_t refused, const char *op, csend_error *err)
{
    csend__socket_error(err, CSEND_SOCKET_ERROR_OPERATION_NOT_SUPPORTED, EOPNOTSUPP, 0);
    size_t n, cap = sizeof err->message, used;
    const csend_constant *names = csend_socket_flags_table(&n);
    char *m = err->message;
    used = (size_t)snprintf(m, cap, "socketFlags 0x%" PRIx32 ": ", bits);
    const char *sep = "";
    for (int b = 0; b < 32 && used < cap; b++) {
        uint32_t bit = (uint32_t)1 << b;
        if (!(refused & bit))
            continue;
        const char *name = NULL;
        for (size_t i = 0; i < n; i++)
            if ((uint32_t)names[i].value == bit)
                name = names[i].name;
        used += (size_t)(name ? snprintf(m + used, cap - used, "%s%s (0x%" PRIx32 ")", sep, name,
                                         bit)
                              : snprintf(m + used, cap - used, "%s0x%" PRIx32, sep, bit));
        sep = ", ";
    }
    if (used < cap)
        snprintf(m + used, cap - used, " %s not valid for %s",
                 (refused & (refused - 1)) ? "are" : "is", op);
}

int csend__flags(int64_t flags, uint32_t allowed, const char *op, csend_error *err)
{
    uint32_t bits;
    if (flags_bits(flags, &bits, err) < 0)
        return -1;
    if (bits & ~allowed) {
        refused_flags(bits, bits & ~allowed, op, err);
        return -1;
    }
    int os = MSG_NOSIGNAL;
    if (bits & CSEND_FLAG_OUT_OF_BAND)
        os |= MSG_OOB;
    if (bits & CSEND_FLAG_DONT_ROUTE)
        os |= MSG_DONTROUTE;
    if (bits & CSEND_FLAG_PEEK)
        os |= MSG_PEEK;
    return os;
}

/* The gather form's list, before any segment is read: the count. */
int csend__check_segment_count(int64_t count, csend_error *err)
{
    if (count <= 0) {
        csend__argument(err, "buffers", "The parameter buffers must contain one or more elements.");
        return -1;
    }
    return csend__check_range(err, "buffers", count, 1, CSEND_SEGMENTS_MAX);
}

/* The gather form's list: null, empty, too long, a null segment; the total
 * length must fit in int64. */
int csend__check_segments(const csend_segment *segments, int64_t count, int64_t *total,
                          csend_error *err)
{
    if (segments == NULL) {
        csend__argument_null(err, "buffers");
        return -1;
    }
    if (csend__check_segment_count(count, err) < 0)
        return -1;
    int64_t sum = 0;
    for (int64_t i = 0; i < count; i++) {
        if (segments[i].base == NULL || segments[i].len < 0) {
            csend__argument_null(err, "buffers");
            return -1;
        }
        if (segments[i].len > INT64_MAX - sum) {
            csend__out_of_range_max(err, "buffers", segments[i].len, INT64_MAX - sum);
            return -1;
        }
        sum += segments[i].len;
    }
    *total = sum;
    return 0;
}

/* ---- the public checks a binding makes before it allocates ---- */

int csend_check_segment_count(csend_socket *s, int64_t count, csend_error *err)
{
    CSEND_ERR(err);
    if (csend__enter(s, err) < 0)
        return -1;
    int rc = csend__check_segment_count(count, err);
    csend__leave(s);
    return rc;
}

int csend_check_receive_size(csend_socket *s, int64_t size, csend_error *err)
{
    CSEND_ERR(err);
    if (csend__enter(s, err) < 0)
        return -1;
    int rc = csend__check_range(err, "size", size, 0, INT32_MAX);
    csend__leave(s);
    return rc;
}
