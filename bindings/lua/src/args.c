/* Lua values -> the core's arguments. Types only: the core checks ranges. */
#include "binding.h"

#include <math.h>

int csendlua_to_int(lua_State *L, int idx, int64_t *out)
{
    /* The manual's coercions, as luaL_checkinteger: a number, or a string
     * that converts to one ("44507", "0x10", "1e3"). */
    if (!lua_isnumber(L, idx))
        return 0;
#if LUA_VERSION_NUM >= 503
    int isnum;
    lua_Integer i = lua_tointegerx(L, idx, &isnum);
    if (isnum) {
        *out = i;
        return 1;
    }
#endif
    lua_Number f = lua_tonumber(L, idx);
    if (isnan(f) || f != floor(f))
        return 0;
    /* Integral but beyond int64: saturated, so out of range for the core. */
    *out = f >= 9223372036854775807.0    ? INT64_MAX
           : f <= -9223372036854775808.0 ? INT64_MIN
                                         : (int64_t)f;
    return 1;
}

/* Not an integer in the common form: nil, a float, a numeric string, or
 * anything else (out of line: the hot path is the integer case). */
int64_t csendlua_opt_int_slow(lua_State *L, int idx, const char *name, int64_t def)
{
    int t = lua_type(L, idx);
    if (t == LUA_TNONE || t == LUA_TNIL)
        return def;
    int64_t v;
    if (csendlua_to_int(L, idx, &v))
        return v;
    if (lua_isnumber(L, idx))
        return luaL_argerror(L, idx, lua_pushfstring(L, "%s must be an integer, got %f", name,
                                                     lua_tonumber(L, idx)));
    return luaL_argerror(L, idx, lua_pushfstring(L, "%s must be an integer, got %s", name,
                                                 luaL_typename(L, idx)));
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
