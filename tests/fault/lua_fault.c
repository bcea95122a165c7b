/* require "csend_fault": drives the preloaded fault shim from the Lua tests.
 *   fault.set(spec)      configure (see fault.c); an error for a bad spec
 *   fault.injected()     faults injected so far
 *   fault.errno(name)    the number of an errno name ("EPIPE")
 *   fault.strerror(n)    the OS text for errno n */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdint.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

static int (*set)(const char *);
static void (*stats)(int64_t *, int64_t *, int64_t *);
static int (*by_name)(const char *);

static int l_set(lua_State *L)
{
    const char *spec = luaL_checkstring(L, 1);
    if (set(spec) != 0)
        return luaL_error(L, "csend_fault: cannot read '%s'", spec);
    return 0;
}

static int l_injected(lua_State *L)
{
    int64_t faults;
    stats(&faults, NULL, NULL);
    lua_pushinteger(L, (lua_Integer)faults);
    return 1;
}

static int l_errno(lua_State *L)
{
    int e = by_name(luaL_checkstring(L, 1));
    if (e < 0)
        return luaL_error(L, "no errno named %s", lua_tostring(L, 1));
    lua_pushinteger(L, e);
    return 1;
}

static int l_strerror(lua_State *L)
{
    lua_pushstring(L, strerror((int)luaL_checkinteger(L, 1)));
    return 1;
}

__attribute__((visibility("default"))) int luaopen_csend_fault(lua_State *L)
{
    *(void **)&set = dlsym(RTLD_DEFAULT, "csend_fault_set");
    *(void **)&stats = dlsym(RTLD_DEFAULT, "csend_fault_stats");
    *(void **)&by_name = dlsym(RTLD_DEFAULT, "csend_fault_errno");
    if (set == NULL || stats == NULL || by_name == NULL)
        return luaL_error(L, "csend_fault: libcsend_fault.so is not preloaded (LD_PRELOAD)");
    static const luaL_Reg fns[] = {{"set", l_set},
                                   {"injected", l_injected},
                                   {"errno", l_errno},
                                   {"strerror", l_strerror},
                                   {NULL, NULL}};
    luaL_newlib(L, fns);
    return 1;
}
