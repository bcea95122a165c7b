/* Lua values -> the core's arguments. Types only: the core checks ranges. */
#include "binding.h"

#include <math.h>

int64_t csendlua_opt_int(lua_State *L, int idx, const char *name, int64_t def)
{
    int t = lua_type(L, idx);
    if (t == LUA_TNONE || t == LUA_TNIL)
        return def;
    if (t != LUA_TNUMBER)
        return luaL_argerror(L, idx, lua_pushfstring(L, "%s must be an integer, got %s", name,
                                                     luaL_typename(L, idx)));
    if (lua_isinteger(L, idx))
        return lua_tointeger(L, idx);
    lua_Number f = lua_tonumber(L, idx);
    if (isnan(f) || f != floor(f))
        return luaL_argerror(L, idx,
                             lua_pushfstring(L, "%s must be an integer, got %f", name, f));
    if (f >= 9223372036854775807.0)
        return INT64_MAX;
    if (f <= -9223372036854775808.0)
        return INT64_MIN;
    return (int64_t)f;
}

const char *csendlua_buffer(lua_State *L, int idx, size_t *len)
{
    int t = lua_type(L, idx);
    if (t == LUA_TNIL || t == LUA_TNONE) {
        *len = 0;
        return NULL;
    }
    if (t != LUA_TSTRING)
        luaL_argerror(L, idx, lua_pushfstring(L, "buffer must be a string, got %s",
                                              luaL_typename(L, idx)));
    return lua_tolstring(L, idx, len);
}

int csendlua_endpoint_args(lua_State *L, int family, int idx, csendlua_endpoint_arg *e)
{
    e->host = lua_isnoneornil(L, idx) ? NULL : luaL_checkstring(L, idx);
    if (family == CSEND_AF_UNIX) {
        e->port = 0;
        return 1;
    }
    e->port = csendlua_opt_int(L, idx + 1, "port", -1);
    return 2;
}

int csendlua_push_endpoint(lua_State *L, const csend_endpoint *ep)
{
    char host[256];
    int port;
    int family = csend_endpoint_format(ep, host, sizeof host, &port);
    if (family < 0) {
        lua_pushnil(L);
        return 1;
    }
    lua_pushstring(L, host);
    if (family == CSEND_AF_UNIX)
        return 1;
    lua_pushinteger(L, port);
    return 2;
}

void csendlua_push_constants(lua_State *L, const csend_constant *t, size_t n)
{
    lua_createtable(L, 0, (int)n);
    for (size_t i = 0; i < n; i++) {
        lua_pushinteger(L, t[i].value);
        lua_setfield(L, -2, t[i].name);
    }
}
