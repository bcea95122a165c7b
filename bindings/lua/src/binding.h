/* What the files of the Lua binding share. */
#ifndef CSEND_LUA_BINDING_H
#define CSEND_LUA_BINDING_H

#include "compat.h"

#include "csend.h"

#define SOCKET_MT "csend.Socket"

/* What the module keeps per lua_State (a userdata in the registry, the
 * second upvalue of every function): several states in one process each
 * have their own, and nothing of one outlives it. */
typedef struct {
    const void *magic;  /* &csendlua_state_magic: the registry entry is ours */
    lua_State *running; /* the thread of the latest send, for the trace callback */
    int trace_ref;      /* set_trace's callback in the registry, or LUA_NOREF */
    int in_trace;       /* the callback is running: its own sends are not traced */
} lstate;

typedef struct {
    const void *magic;  /* &csendlua_socket_magic: this userdata is a csend socket */
    csend_socket *s;    /* NULL once __gc ran */
    lstate *st;
} lsocket;

extern const char csendlua_socket_magic;
extern const char csendlua_state_magic;

#define STATE(L) ((lstate *)lua_touserdata((L), lua_upvalueindex(2)))

/* socket.c */
lsocket *csendlua_check(lua_State *L, int idx);
/* Pushes a socket userdata with no core socket yet: made before the core
 * socket, so that a memory error cannot leak one. */
lsocket *csendlua_new_socket(lua_State *L);
/* Gives u the core socket s (its hooks route trace lines to u's state). */
void csendlua_set_socket(lsocket *u, csend_socket *s);
/* Registers the socket metatable; the state userdata is on the top. */
void csendlua_socket_register(lua_State *L);
/* module.c: the state of this lua_State, pushed (made on first use). */
lstate *csendlua_state(lua_State *L);

/* pending.c: s:start_send's operation (the arguments already read) */
int csendlua_pending_start(lua_State *L, lsocket *u, int buffer_idx, const char *buffer,
                           size_t len, int64_t offset, int64_t size, int64_t flags);
void csendlua_pending_register(lua_State *L);

/* errors.c: the error objects of contract §5 */
void csendlua_errors_register(lua_State *L); /* leaves the classes table on the stack */
/* Raises the core's error value as a Lua error object; never returns. */
int csendlua_raise(lua_State *L, const csend_error *err);
int csendlua_is(lua_State *L);

/* args.c: Lua values -> the core's arguments (types only, never ranges) */
/* The integer the value at idx is, by the manual's coercions: 1, or 0 when
 * it is none (not a number, or a number with a fraction). */
int csendlua_to_int(lua_State *L, int idx, int64_t *out);
int64_t csendlua_opt_int_slow(lua_State *L, int idx, const char *name, int64_t def);
/* The integer at idx when it is one (or a numeric string or integral
 * float, by the manual's coercions), in as few calls as the Lua allows:
 * 1, else 0 and *out untouched (nil, a fraction, anything else). */
static inline int csendlua_int(lua_State *L, int idx, int64_t *out)
{
#if LUA_VERSION_NUM >= 503
    int ok;
    lua_Integer v = lua_tointegerx(L, idx, &ok); /* exact: 1.5 is not converted */
    if (ok)
        *out = v;
    return ok;
#else
    /* lua_tointegerx truncates here: check the double instead. */
    if (lua_type(L, idx) != LUA_TNUMBER)
        return 0;
    lua_Number f = lua_tonumber(L, idx);
    if (!(f >= -9007199254740992.0 && f <= 9007199254740992.0) || f != (lua_Number)(int64_t)f)
        return 0;
    *out = (int64_t)f;
    return 1;
#endif
}

/* An optional integer argument: nil gives def; a number or a numeric string
 * that is an integer gives it (the manual's coercions); an integral float
 * beyond int64 saturates (out of range for the core); a fraction, or any
 * other value, is an argument error naming `name`. */
static inline int64_t csendlua_opt_int(lua_State *L, int idx, const char *name, int64_t def)
{
    int64_t v;
    if (csendlua_int(L, idx, &v))
        return v;
    return csendlua_opt_int_slow(L, idx, name, def);
}
/* A buffer: a string, or nil for a null buffer (the core reports it). */
const char *csendlua_buffer(lua_State *L, int idx, size_t *len);
/* The endpoint arguments at idx for a socket of this family: host, port
 * (two values) or a Unix path (one), for csend_endpoint_for_socket; returns
 * how many stack slots they take. */
typedef struct {
    const char *host; /* or the path; NULL for nil (the core names it) */
    int64_t port;
} csendlua_endpoint_arg;
int csendlua_endpoint_args(lua_State *L, int family, int idx, csendlua_endpoint_arg *e);
int csendlua_push_endpoint(lua_State *L, const csend_endpoint *ep);
void csendlua_push_constants(lua_State *L, const csend_constant *t, size_t n);

#endif
