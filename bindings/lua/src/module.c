/* require "csend": the module table. */
#include "binding.h"

static int l_socket(lua_State *L)
{
    int64_t family = csendlua_opt_int(L, 1, "family", CSEND_AF_INTER_NETWORK);
    int64_t type = csendlua_opt_int(L, 2, "type", CSEND_SOCK_STREAM);
    int64_t proto = csendlua_opt_int(L, 3, "proto", CSEND_PROTO_UNSPECIFIED);
    lsocket *u = csendlua_new_socket(L);
    csend_error err;
    csend_socket *s = csend_socket_open(family, type, proto, &err);
    if (s == NULL)
        return csendlua_raise(L, &err);
    csendlua_set_socket(u, s);
    return 1;
}

/* csend.Socket.new(family, type, proto): the same, as a constructor. */
static int l_socket_new(lua_State *L)
{
    if (lua_istable(L, 1))
        lua_remove(L, 1); /* called as csend.Socket:new(...) */
    return l_socket(L);
}

/* On failure the descriptor stays the caller's (csend.h). */
/* A descriptor argument: an integer by the manual's coercions (1.5 is an
 * argument error on every Lua, where luaL_checkinteger truncates on 5.1,
 * 5.2 and LuaJIT); nil too is an argument error. */
static int64_t fd_arg(lua_State *L)
{
    if (lua_isnoneornil(L, 1))
        luaL_argerror(L, 1, "fd must be an integer, got no value");
    return csendlua_opt_int(L, 1, "fd", -1);
}

static int l_fromfd(lua_State *L)
{
    int64_t fd = fd_arg(L);
    lsocket *u = csendlua_new_socket(L);
    csend_error err;
    csend_socket *s = csend_socket_from_fd(fd, &err);
    if (s == NULL)
        return csendlua_raise(L, &err);
    csendlua_set_socket(u, s);
    return 1;
}

/* csend.dup(fd) -> a new descriptor for the same socket (for fromfd on a
 * descriptor that another library keeps owning, such as LuaSocket's). */
static int l_dup(lua_State *L)
{
    csend_error err;
    int fd = csend_dup_fd(fd_arg(L), &err);
    if (fd < 0)
        return csendlua_raise(L, &err);
    lua_pushinteger(L, fd);
    return 1;
}

/* csend.set_trace(on [, callback]): this state's lines go to callback(line)
 * or to stderr; switching tracing on or off is process-wide, as
 * CSEND_TRACE is.  A callback may call set_trace itself. */
static int l_set_trace(lua_State *L)
{
    lstate *st = STATE(L);
    int on = lua_toboolean(L, 1);
    if (!lua_isnoneornil(L, 2))
        luaL_checktype(L, 2, LUA_TFUNCTION);
    int ref = LUA_NOREF;
    if (!lua_isnoneornil(L, 2)) {
        lua_pushvalue(L, 2);
        ref = luaL_ref(L, LUA_REGISTRYINDEX);
    }
    /* A running callback is on its thread's stack: dropping its reference
     * here cannot free it. */
    luaL_unref(L, LUA_REGISTRYINDEX, st->trace_ref);
    st->trace_ref = ref;
    csend_enable_trace(on);
    return 0;
}

static int l_get_trace(lua_State *L)
{
    lua_pushboolean(L, csend_get_trace());
    return 1;
}

static const luaL_Reg functions[] = {
    {"socket", l_socket},
    {"fromfd", l_fromfd},
    {"dup", l_dup},
    {"is", csendlua_is},
    {"set_trace", l_set_trace},
    {"get_trace", l_get_trace},
    {NULL, NULL},
};

static void constants(lua_State *L, const char *name, const csend_constant *(*fn)(size_t *))
{
    size_t n;
    const csend_constant *t = fn(&n);
    csendlua_push_constants(L, t, n);
    lua_setfield(L, -2, name);
}

#define STATE_KEY "csend.state"

const char csendlua_state_magic = 0;

lstate *csendlua_state(lua_State *L)
{
    /* Lua code can put anything in the registry (debug.getregistry): only a
     * userdata of this size that carries the mark is this module's. */
    lua_getfield(L, LUA_REGISTRYINDEX, STATE_KEY);
    lstate *found = lua_touserdata(L, -1);
    if (found != NULL && lua_type(L, -1) == LUA_TUSERDATA && lua_rawlen(L, -1) == sizeof *found &&
        found->magic == &csendlua_state_magic)
        return found;
    lua_pop(L, 1);
    lstate *st = lua_newuserdatauv(L, sizeof *st, 0);
    st->magic = &csendlua_state_magic;
    st->running = NULL;
    st->trace_ref = LUA_NOREF;
    st->in_trace = 0;
    lua_pushvalue(L, -1);
    lua_setfield(L, LUA_REGISTRYINDEX, STATE_KEY);
    return st;
}

__attribute__((visibility("default"))) int luaopen_csend(lua_State *L)
{
    csendlua_state(L);
    int state = lua_gettop(L);
    csendlua_socket_register(L);
    luaL_newlibtable(L, functions);
    luaL_getmetatable(L, SOCKET_MT);
    lua_pushvalue(L, state);
    luaL_setfuncs(L, functions, 2);
    constants(L, "SocketError", csend_socket_error_table);
    /* Both ways: SocketError[10035] == "WouldBlock", for try_send's code. */
    lua_getfield(L, -1, "SocketError");
    size_t n;
    const csend_constant *codes = csend_socket_error_table(&n);
    for (size_t i = 0; i < n; i++) {
        lua_pushstring(L, codes[i].name);
        lua_rawseti(L, -2, codes[i].value);
    }
    lua_pop(L, 1);
    constants(L, "SocketFlags", csend_socket_flags_table);
    constants(L, "AddressFamily", csend_address_family_table);
    constants(L, "SocketType", csend_socket_type_table);
    constants(L, "ProtocolType", csend_protocol_type_table);
    constants(L, "SocketOptionLevel", csend_option_level_table);
    constants(L, "SocketOptionName", csend_option_name_table);
    lua_createtable(L, 0, 3);
    lua_pushinteger(L, CSEND_SHUTDOWN_RECEIVE);
    lua_setfield(L, -2, "Receive");
    lua_pushinteger(L, CSEND_SHUTDOWN_SEND);
    lua_setfield(L, -2, "Send");
    lua_pushinteger(L, CSEND_SHUTDOWN_BOTH);
    lua_setfield(L, -2, "Both");
    lua_setfield(L, -2, "SocketShutdown");
    csendlua_errors_register(L);
    lua_setfield(L, -2, "errors");
    lua_createtable(L, 0, 1);
    luaL_getmetatable(L, SOCKET_MT);
    lua_pushvalue(L, state);
    lua_pushcclosure(L, l_socket_new, 2);
    lua_setfield(L, -2, "new");
    lua_setfield(L, -2, "Socket");
    lua_pushliteral(L, CSEND_VERSION);
    lua_setfield(L, -2, "_VERSION");
    return 1;
}
