/* require "csend": the module table. */
#include "binding.h"

static int l_socket(lua_State *L)
{
    int64_t family = csendlua_opt_int(L, 1, "family", CSEND_AF_INTER_NETWORK);
    int64_t type = csendlua_opt_int(L, 2, "type", CSEND_SOCK_STREAM);
    int64_t proto = csendlua_opt_int(L, 3, "proto", CSEND_PROTO_UNSPECIFIED);
    csend_error err;
    csend_socket *s = csend_socket_open(family, type, proto, &err);
    if (s == NULL)
        return csendlua_raise(L, &err);
    return csendlua_push_socket(L, s);
}

/* csend.Socket.new(family, type, proto): the same, as a constructor. */
static int l_socket_new(lua_State *L)
{
    if (lua_istable(L, 1))
        lua_remove(L, 1); /* called as csend.Socket:new(...) */
    return l_socket(L);
}

static int l_fromfd(lua_State *L)
{
    lua_Integer fd = luaL_checkinteger(L, 1);
    csend_error err;
    csend_socket *s = csend_socket_from_fd(fd, &err);
    if (s == NULL)
        return csendlua_raise(L, &err);
    return csendlua_push_socket(L, s);
}

/* csend.dup(fd) -> a new descriptor for the same socket (for fromfd on a
 * descriptor that another library keeps owning, such as LuaSocket's). */
static int l_dup(lua_State *L)
{
    csend_error err;
    int fd = csend_dup_fd(luaL_checkinteger(L, 1), &err);
    if (fd < 0)
        return csendlua_raise(L, &err);
    lua_pushinteger(L, fd);
    return 1;
}

/* The trace callback runs on a Lua thread of its own, so a send made from
 * any coroutine can call it; both live in the registry. */
static lua_State *trace_thread;
static int trace_ref = LUA_NOREF, trace_thread_ref = LUA_NOREF;

static void trace_to_lua(const char *line, void *userdata)
{
    lua_State *T = userdata;
    lua_rawgeti(T, LUA_REGISTRYINDEX, trace_ref);
    lua_pushstring(T, line);
    if (lua_pcall(T, 1, 0, 0) != LUA_OK)
        lua_pop(T, 1); /* a failing trace callback must not break the send */
}

/* csend.set_trace(on [, callback]): lines go to callback(line) or stderr. */
static int l_set_trace(lua_State *L)
{
    int on = lua_toboolean(L, 1);
    int has_callback = !lua_isnoneornil(L, 2);
    if (has_callback)
        luaL_checktype(L, 2, LUA_TFUNCTION);
    csend_set_trace(0, NULL, NULL);
    luaL_unref(L, LUA_REGISTRYINDEX, trace_ref);
    luaL_unref(L, LUA_REGISTRYINDEX, trace_thread_ref);
    trace_ref = trace_thread_ref = LUA_NOREF;
    if (!has_callback) {
        csend_set_trace(on, NULL, NULL);
        return 0;
    }
    lua_pushvalue(L, 2);
    trace_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    trace_thread = lua_newthread(L);
    trace_thread_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    csend_set_trace(on, trace_to_lua, trace_thread);
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

__attribute__((visibility("default"))) int luaopen_csend(lua_State *L)
{
    csendlua_socket_register(L);
    luaL_newlib(L, functions);
    constants(L, "SocketError", csend_socket_error_table);
    constants(L, "SocketFlags", csend_socket_flags_table);
    constants(L, "AddressFamily", csend_address_family_table);
    constants(L, "SocketType", csend_socket_type_table);
    constants(L, "ProtocolType", csend_protocol_type_table);
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
    lua_pushcfunction(L, l_socket_new);
    lua_setfield(L, -2, "new");
    lua_setfield(L, -2, "Socket");
    lua_pushliteral(L, CSEND_VERSION);
    lua_setfield(L, -2, "_VERSION");
    return 1;
}
