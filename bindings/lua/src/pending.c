/* s:start_send(buffer [, offset [, size [, flags]]]) -> a pending Send
 * whose waits the caller makes (a coroutine scheduler: see csend.co):
 *   op:step()  -> n when the send is complete; nil, fd, wait_ms when the
 *                 caller must wait for fd to be writable (wait_ms -1: no
 *                 limit) and step again; raises as Send would.
 *   op:sent()  -> the bytes the kernel took so far.
 *   op:close() -> gives the send up (idempotent); also __gc and __close.
 * The core keeps Send's rules (contract §3): SendTimeout is one deadline,
 * a non-blocking socket makes one attempt, a close fails it as it fails a
 * blocked Send. */
#include "binding.h"

#include <string.h>

#define PENDING_MT "csend.PendingSend"

typedef struct {
    const void *magic; /* &pending_magic: this userdata is an lpending */
    csend_pending_send op;
    lstate *st;
} lpending;

/* Marks an lpending, as csendlua_socket_magic marks a socket: a metatable
 * reached through the registry proves nothing. */
static const char pending_magic = 0;

/* The operation's user value is {socket, buffer}: they live as long as it
 * is pending and no longer, and a cycle through them (a table of
 * operations keyed by socket) stays collectable. */
static void unanchor(lua_State *L, int idx)
{
    csendlua_getuservalue(L, idx);
    if (lua_istable(L, -1)) {
        lua_pushnil(L);
        lua_rawseti(L, -2, 1);
        lua_pushnil(L);
        lua_rawseti(L, -2, 2);
    }
    lua_pop(L, 1);
}

static void let_go(lua_State *L, int idx, lpending *p)
{
    /* Ending traces a line, and a trace callback runs on the thread that
     * ends it: this one, never a coroutine since collected. */
    p->st->running = L;
    csend_send_end(&p->op); /* first: its trace line still reads the buffer */
    unanchor(L, idx);
}

int csendlua_pending_start(lua_State *L, lsocket *u, int buffer_idx, const char *buffer,
                           size_t len, int64_t offset, int64_t size, int64_t flags)
{
    /* Everything that allocates comes before the operation begins: a memory
     * error then leaves nothing begun. */
    lpending *p = lua_newuserdatauv(L, sizeof *p, 1);
    memset(p, 0, sizeof *p);
    p->magic = &pending_magic;
    p->st = u->st;
    int idx = lua_gettop(L);
    luaL_getmetatable(L, PENDING_MT);
    lua_setmetatable(L, idx);
    lua_createtable(L, 2, 0);
    lua_pushvalue(L, 1);
    lua_rawseti(L, -2, 1);
    lua_pushvalue(L, buffer_idx);
    lua_rawseti(L, -2, 2);
    csendlua_setuservalue(L, idx);
    if (u->s == NULL) {
        csend_error err;
        csend_error_disposed(&err);
        return csendlua_raise(L, &err);
    }
    u->st->running = L;
    csend_error err;
    if (csend_send_begin(&p->op, u->s, buffer, (int64_t)len, offset, size, flags,
                         CSEND_PENDING_SEND, &err) < 0) {
        unanchor(L, idx);
        return csendlua_raise(L, &err);
    }
    return 1;
}

static lpending *check(lua_State *L)
{
    lpending *p = lua_touserdata(L, 1);
    if (p == NULL || lua_rawlen(L, 1) != sizeof *p || p->magic != &pending_magic)
        luaL_typeerror(L, 1, PENDING_MT);
    return p;
}

static int l_step(lua_State *L)
{
    lpending *p = check(L);
    p->st->running = L;
    int fd = csend_send_wait_fd(&p->op);
    int wait_ms;
    csend_error err;
    int rc = csend_send_step(&p->op, &wait_ms, &err);
    if (rc == 0) {
        lua_pushnil(L);
        lua_pushinteger(L, fd);
        lua_pushinteger(L, wait_ms);
        return 3;
    }
    unanchor(L, 1); /* ended by the step */
    if (rc < 0)
        return csendlua_raise(L, &err);
    lua_pushinteger(L, p->op.done);
    return 1;
}

static int l_sent(lua_State *L)
{
    lua_pushinteger(L, check(L)->op.done);
    return 1;
}

static int l_close(lua_State *L)
{
    let_go(L, 1, check(L));
    return 0;
}

/* __gc: gives an unfinished operation up without running the trace
 * callback: Lua code run by a finalizer, perhaps from lua_close, must not
 * start new work (its line is dropped). */
static int l_gc(lua_State *L)
{
    lpending *p = check(L);
    int was = p->st->in_trace;
    p->st->in_trace = 1;
    let_go(L, 1, p);
    p->st->in_trace = was;
    return 0;
}

static int l_tostring(lua_State *L)
{
    lpending *p = check(L);
    lua_pushfstring(L, "csend.PendingSend (%s, %d of %d bytes sent)",
                    p->op.s ? "pending" : "ended", (int)p->op.done, (int)p->op.size);
    return 1;
}

void csendlua_pending_register(lua_State *L)
{
    static const luaL_Reg methods[] = {
        {"step", l_step}, {"sent", l_sent}, {"close", l_close}, {NULL, NULL}};
    static const luaL_Reg metamethods[] = {
        {"__gc", l_gc}, {"__close", l_close}, {"__tostring", l_tostring}, {NULL, NULL}};
    luaL_newmetatable(L, PENDING_MT);
    luaL_setfuncs(L, metamethods, 0);
    luaL_newlibtable(L, methods);
    luaL_setfuncs(L, methods, 0);
    lua_setfield(L, -2, "__index");
    lua_pushliteral(L, PENDING_MT);
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 1);
}
