/* The Lua C API as the binding uses it, on Lua 5.1, 5.2, 5.3, 5.4 and
 * LuaJIT 2.1.  The binding is written against 5.4; below 5.4 the few calls
 * it makes that an older API lacks are defined here, with the 5.4
 * behaviour, so that every interpreter behaves alike (luaL_len honours
 * __len on 5.1 too, as it does from 5.2 on).  Only what the binding uses:
 * a general layer (lua-compat-5.3) would add a dependency for a dozen
 * lines. */
#ifndef CSEND_LUA_COMPAT_H
#define CSEND_LUA_COMPAT_H

#include <lauxlib.h>
#include <lua.h>

#if LUA_VERSION_NUM < 504
#define lua_newuserdatauv(L, size, nuv) lua_newuserdata((L), (size))
#endif

/* A full userdata's one user value: pops a table and sets it / pushes it
 * (a userdata's environment table on 5.1 and LuaJIT). */
static inline void csendlua_setuservalue(lua_State *L, int idx)
{
#if LUA_VERSION_NUM >= 504
    lua_setiuservalue(L, idx, 1);
#elif LUA_VERSION_NUM >= 502
    lua_setuservalue(L, idx);
#else
    lua_setfenv(L, idx);
#endif
}

static inline void csendlua_getuservalue(lua_State *L, int idx)
{
#if LUA_VERSION_NUM >= 504
    lua_getiuservalue(L, idx, 1);
#elif LUA_VERSION_NUM >= 502
    lua_getuservalue(L, idx);
#else
    lua_getfenv(L, idx);
#endif
}

#if LUA_VERSION_NUM < 503
/* Pushes t[i] (metamethods apply) and returns its type. */
static inline int csendlua_geti(lua_State *L, int idx, lua_Integer i)
{
    idx = idx < 0 && idx > LUA_REGISTRYINDEX ? lua_gettop(L) + idx + 1 : idx;
    lua_pushinteger(L, i);
    lua_gettable(L, idx);
    return lua_type(L, -1);
}
#define lua_geti csendlua_geti
#endif

#if LUA_VERSION_NUM < 502
#ifndef LUA_OK
#define LUA_OK 0
#endif
#define lua_rawlen(L, idx) lua_objlen((L), (idx))
#endif

#if LUA_VERSION_NUM < 503
/* #t as 5.3 says it, an integer or an error: __len first (5.1's lua_objlen
 * ignores it on tables; 5.2's luaL_len returns an int, cut to 32 bits). */
static inline lua_Integer csendlua_len(lua_State *L, int idx)
{
#if LUA_VERSION_NUM >= 502
    lua_len(L, idx);
#else
    if (!luaL_callmeta(L, idx, "__len"))
        lua_pushnumber(L, (lua_Number)lua_objlen(L, idx));
#endif
    int isnum = lua_isnumber(L, -1);
    lua_Number n = lua_tonumber(L, -1);
    lua_pop(L, 1);
    /* In int64's range and integral, checked before the cast. */
    if (!isnum || !(n >= -9223372036854775808.0 && n < 9223372036854775808.0) ||
        n != (lua_Number)(lua_Integer)n)
        return luaL_error(L, "object length is not an integer");
    return (lua_Integer)n;
}
#define luaL_len csendlua_len
#endif

#if LUA_VERSION_NUM < 502
#ifndef luaL_newlibtable
/* LuaJIT 2.1 has these (and defines luaL_newlibtable); Lua 5.1 does not. */
static inline void csendlua_setfuncs(lua_State *L, const luaL_Reg *l, int nup)
{
    luaL_checkstack(L, nup, "too many upvalues");
    for (; l->name != NULL; l++) {
        for (int i = 0; i < nup; i++)
            lua_pushvalue(L, -nup);
        lua_pushcclosure(L, l->func, nup);
        lua_setfield(L, -(nup + 2), l->name);
    }
    lua_pop(L, nup);
}
#define luaL_setfuncs csendlua_setfuncs
#define luaL_newlibtable(L, l) lua_createtable((L), 0, sizeof(l) / sizeof((l)[0]) - 1)
#define luaL_newlib(L, l) (luaL_newlibtable((L), (l)), luaL_setfuncs((L), (l), 0))
#endif
#endif

#if LUA_VERSION_NUM < 504
/* luaL_typeerror, new in 5.4: "T expected, got U". */
static inline int csendlua_typeerror(lua_State *L, int arg, const char *tname)
{
    return luaL_argerror(L, arg,
                         lua_pushfstring(L, "%s expected, got %s", tname, luaL_typename(L, arg)));
}
#define luaL_typeerror csendlua_typeerror
#endif

#endif
