/* The socket userdata: Send and its overloads, the lifecycle, properties. */
#define _GNU_SOURCE
#include "binding.h"

#include <stdlib.h>
#include <string.h>

/* What marks a csend socket userdata: only csendlua_new_socket writes this
 * address, at the start of a userdata of exactly an lsocket's size (a light
 * userdata has no size, so it is never read).  Checking it costs two API
 * calls where comparing metatables costs four.  The metatable (first
 * upvalue of every function) is hidden from getmetatable by __metatable, so
 * plain Lua code cannot reach __gc; code that reaches it through the debug
 * library finds it safe (l_gc, live()). */
const char csendlua_socket_magic = 0;

lsocket *csendlua_check(lua_State *L, int idx)
{
    lsocket *u = lua_touserdata(L, idx);
    if (u == NULL || lua_rawlen(L, idx) != sizeof *u || u->magic != &csendlua_socket_magic)
        luaL_typeerror(L, idx, SOCKET_MT);
    return u;
}

/* The trace hook: the callback of this state's set_trace runs on the thread
 * that sent, inside a protected call, so neither its errors nor a memory
 * error can unwind through the core.  Nothing before the protected call
 * may raise: on Lua 5.1 and LuaJIT pushing a C function allocates (and
 * lua_checkstack may), so there lua_cpcall makes everything protected. */
typedef struct {
    lstate *st;
    const char *line;
} trace_call;

static int run_trace(lua_State *L)
{
    const trace_call *c = lua_touserdata(L, 1);
    lua_rawgeti(L, LUA_REGISTRYINDEX, c->st->trace_ref);
    lua_pushstring(L, c->line);
    lua_call(L, 1, 0);
    return 0;
}

static int trace_hook(const char *line, void *context)
{
    lstate *st = context;
    if (st->trace_ref == LUA_NOREF)
        return 0; /* to stderr, as the core does */
    lua_State *L = st->running;
    if (st->in_trace || L == NULL)
        return 1;
    st->in_trace = 1;
    trace_call c = {st, line};
#if LUA_VERSION_NUM < 502
    if (lua_cpcall(L, run_trace, &c) != 0)
        lua_pop(L, 1); /* a failing trace callback must not break the send */
#else
    /* 5.2+: a C function is a light value (nothing allocated), and 5.4's
     * lua_checkstack reports instead of raising. */
    if (LUA_VERSION_NUM < 504 || lua_checkstack(L, 4)) {
        lua_pushcfunction(L, run_trace);
        lua_pushlightuserdata(L, &c);
        if (lua_pcall(L, 1, 0, 0) != LUA_OK)
            lua_pop(L, 1);
    }
#endif
    st->in_trace = 0;
    /* The callback's own sends (from any coroutine, since collected) set
     * running: the send this line belongs to runs on L. */
    st->running = L;
    return 1;
}

static const csend_hooks lua_hooks = {NULL, NULL, NULL, trace_hook};

lsocket *csendlua_new_socket(lua_State *L)
{
    lstate *st = STATE(L);
    lsocket *u = lua_newuserdatauv(L, sizeof *u, 0);
    u->magic = &csendlua_socket_magic;
    u->s = NULL;
    u->st = st;
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_setmetatable(L, -2);
    return u;
}

void csendlua_set_socket(lsocket *u, csend_socket *s)
{
    csend_socket_set_hooks(s, &lua_hooks);
    csend_socket_set_context(s, u->st);
    u->s = s;
}

/* After __gc: ObjectDisposedException (out of line: the common path is
 * the methods' hot path). */
static __attribute__((noinline, cold)) void raise_disposed(lua_State *L)
{
    csend_error err;
    csend_error_disposed(&err);
    csendlua_raise(L, &err);
}

/* self, checked; its socket may still go before the core call (below). */
static lsocket *self(lua_State *L)
{
    lsocket *u = csendlua_check(L, 1);
    if (u->s == NULL)
        raise_disposed(L);
    return u;
}

/* u's socket, read right before a core call: anything that allocates may
 * have run finalizers (Lua code that can reach __gc through the debug
 * library), and a metamethod may have run any code.  Records the running
 * thread: a trace callback runs on it. */
static csend_socket *live(lua_State *L, lsocket *u)
{
    if (u->s == NULL)
        raise_disposed(L);
    u->st->running = L;
    return u->s;
}

#define SELF(L) live((L), self(L))

/* The most one receive() reads (a datagram is at most 64 KiB). */
#define RECEIVE_MAX (1 << 20)

/* (buffer, offset, size, flags) at idx: .NET's order, trailing ones optional. */
typedef struct {
    const char *buf;
    size_t len;
    int64_t offset, size, flags;
} send_args;

static void buffer_args(lua_State *L, int idx, int count, send_args *a)
{
    int given = lua_gettop(L) - idx + 1; /* arguments past the top are absent */
    if (count > given)
        count = given;
    a->buf = csendlua_buffer(L, idx, &a->len);
    a->offset = count > 1 ? csendlua_opt_int(L, idx + 1, "offset", 0) : 0;
    int64_t len = (int64_t)a->len;
    int64_t rest = csend_rest_of_buffer(len, a->offset);
    a->size = count > 2 ? csendlua_opt_int(L, idx + 2, "size", rest) : rest;
    a->flags = count > 3 ? csendlua_opt_int(L, idx + 3, "flags", 0) : 0;
}

static int l_send(lua_State *L)
{
    lsocket *u = self(L);
    send_args a;
    /* send(string) and .NET's four-argument form, a string and three
     * integers, in one API call each; anything else (and every error) goes
     * the general way. */
    int top = lua_gettop(L);
    if (top == 5 && lua_type(L, 2) == LUA_TSTRING && csendlua_int(L, 3, &a.offset) &&
        csendlua_int(L, 4, &a.size) && csendlua_int(L, 5, &a.flags)) {
        a.buf = lua_tolstring(L, 2, &a.len);
    } else if (top == 2 && lua_type(L, 2) == LUA_TSTRING) {
        a.buf = lua_tolstring(L, 2, &a.len);
        a.offset = a.flags = 0;
        a.size = (int64_t)a.len;
    } else {
        buffer_args(L, 2, 4, &a);
    }
    csend_error err;
    int64_t n = csend_send(live(L, u), a.buf, (int64_t)a.len, a.offset, a.size, a.flags, &err);
    if (n < 0)
        return csendlua_raise(L, &err);
    lua_pushinteger(L, n);
    return 1;
}

/* start_send(buffer, offset, size, flags): Send's arguments, a pending
 * Send (pending.c) for a caller that waits in its own way. */
static int l_start_send(lua_State *L)
{
    lsocket *u = self(L);
    send_args a;
    buffer_args(L, 2, 4, &a);
    return csendlua_pending_start(L, u, 2, a.buf, a.len, a.offset, a.size, a.flags);
}

/* The `out SocketError` form: count, SocketError name, number. */
static int l_try_send(lua_State *L)
{
    lsocket *u = self(L);
    send_args a;
    buffer_args(L, 2, 4, &a);
    csend_error err;
    int code;
    int64_t n = csend_try_send(live(L, u), a.buf, (int64_t)a.len, a.offset, a.size, a.flags, &code, &err);
    if (n < 0)
        return csendlua_raise(L, &err);
    lua_pushinteger(L, n);
    lua_pushstring(L, csend_socket_error_name(code));
    lua_pushinteger(L, code);
    return 3;
}

/* send_to(buffer, [offset, size, flags,] endpoint): the endpoint is last
 * (host, port or a path) and the middle arguments follow .NET's overloads:
 * (flags), (size, flags), (offset, size, flags). */
static int l_send_to(lua_State *L)
{
    lsocket *u = self(L);
    int family = csend_get_family(u->s);
    int ep_slots = family == CSEND_AF_UNIX ? 1 : 2;
    int top = lua_gettop(L);
    int middle = top - 2 - ep_slots;
    if (middle < 0 || middle > 3)
        return luaL_error(L, "send_to expects (buffer, [offset, size, flags,] endpoint)");
    send_args a;
    a.buf = csendlua_buffer(L, 2, &a.len);
    int64_t len = (int64_t)a.len;
    a.offset = middle == 3 ? csendlua_opt_int(L, 3, "offset", 0) : 0;
    int64_t rest = csend_rest_of_buffer(len, a.offset);
    a.size = middle >= 2 ? csendlua_opt_int(L, 3 + middle - 2, "size", rest) : rest;
    a.flags = middle >= 1 ? csendlua_opt_int(L, 3 + middle - 1, "flags", 0) : 0;
    csend_endpoint ep;
    int has_ep = !lua_isnoneornil(L, 3 + middle);
    csendlua_endpoint_arg where;
    if (has_ep)
        csendlua_endpoint_args(L, family, 3 + middle, &where);
    csend_error err;
    csend_socket *s = live(L, u);
    if (has_ep && csend_endpoint_for_socket(s, where.host, where.port, &ep, &err) < 0)
        return csendlua_raise(L, &err);
    int64_t n = csend_send_to(s, a.buf, len, a.offset, a.size, a.flags, has_ep ? &ep : NULL, &err);
    if (n < 0)
        return csendlua_raise(L, &err);
    lua_pushinteger(L, n);
    return 1;
}

/* send_segments({s1, s2, ...}, flags): the gather form, one sendmsg loop. */
static int l_send_segments(lua_State *L)
{
    lsocket *u = self(L);
    int64_t flags = csendlua_opt_int(L, 3, "flags", 0);
    csend_error err;
    if (lua_isnoneornil(L, 2)) {
        csend_send_segments(live(L, u), NULL, 0, flags, &err);
        return csendlua_raise(L, &err);
    }
    luaL_checktype(L, 2, LUA_TTABLE);
    /* __len may say anything: the core bounds the count before anything is
     * allocated for it. */
    lua_Integer count = luaL_len(L, 2);
    if (csend_check_segment_count(live(L, u), count, &err) < 0)
        return csendlua_raise(L, &err);
    csend_segment *seg = lua_newuserdatauv(L, (size_t)count * sizeof *seg, 0);
    /* Each string stays in this table (on the stack) until the send is
     * over: one produced by __index, or removed from the list by a trace
     * callback, can never be collected under the kernel. */
    lua_createtable(L, (int)count, 0);
    int anchor = lua_gettop(L);
    for (lua_Integer i = 0; i < count; i++) {
        int t = lua_geti(L, 2, i + 1);
        size_t len = 0;
        if (t == LUA_TNIL) {
            seg[i].base = NULL;
        } else if (t == LUA_TSTRING) {
            seg[i].base = lua_tolstring(L, -1, &len);
        } else {
            return luaL_argerror(L, 2, lua_pushfstring(L, "buffers[%d] must be a string, got %s",
                                                       (int)(i + 1), luaL_typename(L, -1)));
        }
        seg[i].len = (int64_t)len;
        lua_rawseti(L, anchor, i + 1);
    }
    int64_t n = csend_send_segments(live(L, u), seg, count, flags, &err);
    if (n < 0)
        return csendlua_raise(L, &err);
    lua_pushinteger(L, n);
    return 1;
}

/* receive([size [, flags]]) -> string ("" at the end of the stream): up to
 * size bytes, as a stream socket gives them.  receive_from: the same, one
 * datagram, then its sender (host, port, or a path).  A valid size is
 * capped: asking for 2 GiB does not allocate 2 GiB for a few bytes. */
static int receive_string(lua_State *L, int with_sender)
{
    lsocket *u = self(L);
    int64_t size = csendlua_opt_int(L, 2, "size", 65536);
    int64_t flags = csendlua_opt_int(L, 3, "flags", 0);
    csend_error err;
    if (csend_check_receive_size(live(L, u), size, &err) < 0)
        return csendlua_raise(L, &err);
    static char none[1];
    size_t cap = size < RECEIVE_MAX ? (size_t)size : RECEIVE_MAX;
    /* A userdata, so that an error cannot leak it (every Lua has them). */
    char *p = cap ? lua_newuserdatauv(L, cap, 0) : none;
    csend_endpoint from;
    csend_socket *s = live(L, u);
    int64_t n = with_sender
                    ? csend_receive_from(s, p, (int64_t)cap, 0, (int64_t)cap, flags, &from, &err)
                    : csend_receive(s, p, (int64_t)cap, 0, (int64_t)cap, flags, &err);
    if (n < 0)
        return csendlua_raise(L, &err);
    lua_pushlstring(L, p, (size_t)n);
    return with_sender ? 1 + csendlua_push_endpoint(L, &from) : 1;
}

static int l_receive(lua_State *L)
{
    return receive_string(L, 0);
}

static int l_receive_from(lua_State *L)
{
    return receive_string(L, 1);
}

/* ---- socket options ---- */

/* {enabled = bool, seconds = int} at idx -> a LingerOption; nil -> NULL. */
static const csend_linger *linger_arg(lua_State *L, int idx, csend_linger *l)
{
    if (lua_isnoneornil(L, idx))
        return NULL;
    if (!lua_istable(L, idx))
        luaL_argerror(L, idx, "a linger value is {enabled = boolean, seconds = integer}");
    lua_getfield(L, idx, "enabled");
    if (!lua_isboolean(L, -1))
        luaL_argerror(L, idx, "linger.enabled must be a boolean");
    l->enabled = lua_toboolean(L, -1);
    lua_getfield(L, idx, "seconds");
    l->seconds = 0; /* nil: 0 */
    if (!lua_isnil(L, -1) && !csendlua_to_int(L, -1, &l->seconds))
        luaL_argerror(L, idx, "linger.seconds must be an integer");
    lua_pop(L, 2);
    return l;
}

static int push_linger(lua_State *L, const csend_linger *l)
{
    lua_createtable(L, 0, 2);
    lua_pushboolean(L, l->enabled);
    lua_setfield(L, -2, "enabled");
    lua_pushinteger(L, l->seconds);
    lua_setfield(L, -2, "seconds");
    return 1;
}

/* A level or a name: an integer, never absent. */
static int64_t option_int(lua_State *L, int idx, const char *what)
{
    if (lua_isnoneornil(L, idx))
        luaL_argerror(L, idx, lua_pushfstring(L, "%s must be an integer, got %s", what,
                                              luaL_typename(L, idx)));
    return csendlua_opt_int(L, idx, what, 0);
}

/* set_socket_option(level, name, value): an integer, a boolean, or a
 * linger table; returns self. */
static int l_set_socket_option(lua_State *L)
{
    lsocket *u = self(L);
    int64_t level = option_int(L, 2, "level");
    int64_t name = option_int(L, 3, "name");
    csend_error err;
    int rc;
    int t = lua_type(L, 4);
    if (t == LUA_TBOOLEAN || t == LUA_TNUMBER) {
        int64_t v = t == LUA_TBOOLEAN ? lua_toboolean(L, 4) : csendlua_opt_int(L, 4, "value", 0);
        rc = csend_set_socket_option(live(L, u), level, name, v, &err);
    } else {
        csend_linger l;
        const csend_linger *lp = linger_arg(L, 4, &l);
        rc = csend_set_socket_option_linger(live(L, u), level, name, lp, &err);
    }
    if (rc < 0)
        return csendlua_raise(L, &err);
    lua_settop(L, 1);
    return 1;
}

/* get_socket_option(level, name) -> integer, or a linger table. */
static int l_get_socket_option(lua_State *L)
{
    lsocket *u = self(L);
    int64_t level = option_int(L, 2, "level");
    int64_t name = option_int(L, 3, "name");
    csend_error err;
    int64_t v;
    csend_linger l;
    int kind = csend_get_socket_option(live(L, u), level, name, &v, &l, &err);
    if (kind < 0)
        return csendlua_raise(L, &err);
    if (kind == 1)
        return push_linger(L, &l);
    lua_pushinteger(L, v);
    return 1;
}

/* linger_state([{enabled =, seconds =}]) */
static int l_linger_state(lua_State *L)
{
    lsocket *u = self(L);
    csend_error err;
    csend_linger l;
    if (lua_isnoneornil(L, 2)) {
        if (csend_get_linger_state(live(L, u), &l, &err) < 0)
            return csendlua_raise(L, &err);
        return push_linger(L, &l);
    }
    const csend_linger *lp = linger_arg(L, 2, &l);
    if (csend_set_linger_state(live(L, u), lp, &err) < 0)
        return csendlua_raise(L, &err);
    lua_settop(L, 1);
    return 1;
}

/* connect and bind: an endpoint (host, port or a path), then self. */
static int with_endpoint(lua_State *L,
                         int (*fn)(csend_socket *, const csend_endpoint *, csend_error *))
{
    lsocket *u = self(L);
    csendlua_endpoint_arg where;
    csendlua_endpoint_args(L, csend_get_family(u->s), 2, &where);
    csend_endpoint ep;
    csend_error err;
    csend_socket *s = live(L, u);
    if (csend_endpoint_for_socket(s, where.host, where.port, &ep, &err) < 0 || fn(s, &ep, &err) < 0)
        return csendlua_raise(L, &err);
    lua_settop(L, 1);
    return 1;
}

static int l_connect(lua_State *L)
{
    return with_endpoint(L, csend_connect);
}

static int l_bind(lua_State *L)
{
    return with_endpoint(L, csend_bind);
}

static int l_listen(lua_State *L)
{
    csend_socket *s = SELF(L);
    csend_error err;
    if (csend_listen(s, csendlua_opt_int(L, 2, "backlog", CSEND_LISTEN_BACKLOG_DEFAULT), &err) < 0)
        return csendlua_raise(L, &err);
    lua_settop(L, 1);
    return 1;
}

static int l_accept(lua_State *L)
{
    lsocket *listener = self(L);
    lsocket *u = csendlua_new_socket(L);
    csend_error err;
    csend_socket *a = csend_accept(live(L, listener), &err);
    if (a == NULL)
        return csendlua_raise(L, &err);
    csendlua_set_socket(u, a);
    return 1;
}

static int l_shutdown(lua_State *L)
{
    csend_error err;
    if (csend_shutdown(SELF(L), csendlua_opt_int(L, 2, "how", CSEND_SHUTDOWN_BOTH), &err) < 0)
        return csendlua_raise(L, &err);
    return 0;
}

/* close and __close: Dispose, idempotent. */
static int l_close(lua_State *L)
{
    lsocket *u = csendlua_check(L, 1);
    csend_close(u->s);
    return 0;
}

/* __gc: closes and lets the core socket go; an operation still in flight on
 * it (a finalizer run by a trace callback) keeps its memory until it
 * returns.  A resurrected userdata is then a disposed socket. */
static int l_gc(lua_State *L)
{
    lsocket *u = csendlua_check(L, 1);
    csend_socket *s = u->s;
    u->s = NULL;
    csend_socket_free(s);
    return 0;
}

static int l_getfd(lua_State *L)
{
    lua_pushinteger(L, csend_get_fd(csendlua_check(L, 1)->s));
    return 1;
}

static int l_tostring(lua_State *L)
{
    csend_socket *s = csendlua_check(L, 1)->s;
    if (s == NULL || csend_is_closed(s))
        lua_pushliteral(L, "csend.Socket (closed)");
    else
        lua_pushfstring(L, "csend.Socket (fd=%d, family=%d, type=%d)", csend_get_fd(s),
                        csend_get_family(s), csend_get_type(s));
    return 1;
}

/* Properties: s:blocking() reads, s:blocking(v) writes and returns s. */
static int bool_property(lua_State *L, int (*get)(csend_socket *, csend_error *),
                         int (*set)(csend_socket *, int, csend_error *))
{
    csend_socket *s = SELF(L);
    csend_error err;
    if (lua_isnoneornil(L, 2)) {
        int v = get(s, &err);
        if (v < 0)
            return csendlua_raise(L, &err);
        lua_pushboolean(L, v);
        return 1;
    }
    luaL_checktype(L, 2, LUA_TBOOLEAN);
    if (set(s, lua_toboolean(L, 2), &err) < 0)
        return csendlua_raise(L, &err);
    lua_settop(L, 1);
    return 1;
}

static int l_blocking(lua_State *L)
{
    return bool_property(L, csend_get_blocking, csend_set_blocking);
}

static int l_no_delay(lua_State *L)
{
    return bool_property(L, csend_get_no_delay, csend_set_no_delay);
}

static int l_enable_broadcast(lua_State *L)
{
    return bool_property(L, csend_get_enable_broadcast, csend_set_enable_broadcast);
}

static int l_dont_fragment(lua_State *L)
{
    return bool_property(L, csend_get_dont_fragment, csend_set_dont_fragment);
}

static int l_dual_mode(lua_State *L)
{
    return bool_property(L, csend_get_dual_mode, csend_set_dual_mode);
}

static int int_property(lua_State *L, int64_t (*get)(csend_socket *, csend_error *),
                   int (*set)(csend_socket *, int64_t, csend_error *))
{
    csend_socket *s = SELF(L);
    csend_error err;
    if (lua_isnoneornil(L, 2)) {
        int64_t v = get(s, &err);
        if (v < 0)
            return csendlua_raise(L, &err);
        lua_pushinteger(L, v);
        return 1;
    }
    if (set(s, csendlua_opt_int(L, 2, "value", 0), &err) < 0)
        return csendlua_raise(L, &err);
    lua_settop(L, 1);
    return 1;
}

static int l_send_timeout(lua_State *L)
{
    return int_property(L, csend_get_send_timeout, csend_set_send_timeout);
}

static int l_receive_timeout(lua_State *L)
{
    return int_property(L, csend_get_receive_timeout, csend_set_receive_timeout);
}

static int l_send_buffer_size(lua_State *L)
{
    return int_property(L, csend_get_send_buffer_size, csend_set_send_buffer_size);
}

static int l_receive_buffer_size(lua_State *L)
{
    return int_property(L, csend_get_receive_buffer_size, csend_set_receive_buffer_size);
}

static int l_ttl(lua_State *L)
{
    return int_property(L, csend_get_ttl, csend_set_ttl);
}

static int l_available(lua_State *L)
{
    csend_error err;
    int64_t v = csend_get_available(SELF(L), &err);
    if (v < 0)
        return csendlua_raise(L, &err);
    lua_pushinteger(L, v);
    return 1;
}

static int l_connected(lua_State *L)
{
    lua_pushboolean(L, csend_get_connected(SELF(L)));
    return 1;
}

static int l_closed(lua_State *L)
{
    lua_pushboolean(L, csend_is_closed(csendlua_check(L, 1)->s));
    return 1;
}

static int endpoint(lua_State *L, int remote)
{
    csend_endpoint ep;
    csend_error err;
    int rc = remote ? csend_get_remote_endpoint(SELF(L), &ep, &err)
                    : csend_get_local_endpoint(SELF(L), &ep, &err);
    if (rc < 0)
        return csendlua_raise(L, &err);
    return csendlua_push_endpoint(L, &ep);
}

static int l_local_endpoint(lua_State *L) { return endpoint(L, 0); }
static int l_remote_endpoint(lua_State *L) { return endpoint(L, 1); }

static int l_family(lua_State *L)
{
    lua_pushinteger(L, csend_get_family(SELF(L)));
    return 1;
}

static int l_type(lua_State *L)
{
    lua_pushinteger(L, csend_get_type(SELF(L)));
    return 1;
}

static const luaL_Reg methods[] = {
    {"send", l_send},
    {"try_send", l_try_send},
    {"start_send", l_start_send},
    {"send_to", l_send_to},
    {"send_segments", l_send_segments},
    {"receive", l_receive},
    {"receive_from", l_receive_from},
    {"set_socket_option", l_set_socket_option},
    {"get_socket_option", l_get_socket_option},
    {"connect", l_connect},
    {"bind", l_bind},
    {"listen", l_listen},
    {"accept", l_accept},
    {"shutdown", l_shutdown},
    {"close", l_close},
    {"getfd", l_getfd},
    {"blocking", l_blocking},
    {"send_timeout", l_send_timeout},
    {"receive_timeout", l_receive_timeout},
    {"available", l_available},
    {"connected", l_connected},
    {"closed", l_closed},
    {"no_delay", l_no_delay},
    {"send_buffer_size", l_send_buffer_size},
    {"receive_buffer_size", l_receive_buffer_size},
    {"ttl", l_ttl},
    {"enable_broadcast", l_enable_broadcast},
    {"dont_fragment", l_dont_fragment},
    {"dual_mode", l_dual_mode},
    {"linger_state", l_linger_state},
    {"local_endpoint", l_local_endpoint},
    {"remote_endpoint", l_remote_endpoint},
    {"family", l_family},
    {"type", l_type},
    {NULL, NULL},
};

static const luaL_Reg metamethods[] = {
    {"__gc", l_gc},
    {"__close", l_close},
    {"__tostring", l_tostring},
    {NULL, NULL},
};

void csendlua_socket_register(lua_State *L)
{
    int state = lua_gettop(L);
    luaL_newmetatable(L, SOCKET_MT);
    lua_pushvalue(L, -1);
    lua_pushvalue(L, state);
    luaL_setfuncs(L, metamethods, 2);
    luaL_newlibtable(L, methods);
    lua_pushvalue(L, -2);
    lua_pushvalue(L, state);
    luaL_setfuncs(L, methods, 2);
    lua_setfield(L, -2, "__index");
    lua_pushliteral(L, SOCKET_MT);
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 1);
    csendlua_pending_register(L);
}
