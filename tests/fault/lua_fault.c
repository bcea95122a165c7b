/* require "csend_fault": drives the preloaded fault shim from the Lua tests.
 *   fault.set(spec)      configure (see fault.c); an error for a bad spec
 *   fault.injected()     faults injected so far
 *   fault.errno(name)    the number of an errno name ("EPIPE")
 *   fault.strerror(n)    the OS text for errno n
 *   fault.fail_alloc(k)  allocations of this lua_State fail from the k-th
 *                        from now on; 0 switches it off; returns the
 *                        allocations asked for since the last call
 *   fault.open_fds()     descriptors this process has open */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <stdint.h>
#include <string.h>

#include "compat.h" /* bindings/lua/src: the same API on every Lua */

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

/* The state's allocator, wrapped: Lua never asks a shrinking allocation to
 * fail (its manual says the allocator may not), so only growth fails. */
typedef struct {
    lua_Alloc real;
    void *real_ud;
    int64_t left;  /* allocations until the failure; 0: off */
    int64_t made;
} failing_alloc;

static failing_alloc fa;

static void *maybe_fail(void *ud, void *ptr, size_t osize, size_t nsize)
{
    (void)ud;
    if (nsize > 0 && (ptr == NULL || nsize > osize)) {
        fa.made++;
        /* From the k-th on, until switched off: Lua 5.2 and later retry a
         * failed allocation after an emergency collection, so one refusal
         * alone would never reach the caller.  Exactly the k-th: on Lua 5.1
         * and LuaJIT, which raise at the first refusal, the caller's count
         * of allocations made then tells whether the k-th came. */
        if (fa.left > 1)
            fa.left--;
        else if (fa.left == 1)
            return NULL;
    }
    return fa.real(fa.real_ud, ptr, osize, nsize);
}

static int l_fail_alloc(lua_State *L)
{
    lua_Integer k = luaL_checkinteger(L, 1);
    if (fa.real == NULL) {
        /* The state calls maybe_fail until it is closed, after Lua has
         * unloaded this module: keep the module loaded. */
        Dl_info self;
        if (dladdr((void *)&fa, &self) == 0 ||
            dlopen(self.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE) == NULL)
            return luaL_error(L, "csend_fault: cannot pin the module");
        fa.real = lua_getallocf(L, &fa.real_ud);
        lua_setallocf(L, maybe_fail, NULL);
    }
    int64_t made = fa.made;
    fa.made = 0;
    fa.left = k;
    lua_pushinteger(L, (lua_Integer)made);
    return 1;
}

static int l_open_fds(lua_State *L)
{
    DIR *d = opendir("/proc/self/fd");
    if (d == NULL)
        return luaL_error(L, "cannot read /proc/self/fd");
    lua_Integer n = 0;
    while (readdir(d) != NULL)
        n++;
    closedir(d);
    lua_pushinteger(L, n - 1); /* less the one opendir holds */
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
                                   {"fail_alloc", l_fail_alloc},
                                   {"open_fds", l_open_fds},
                                   {NULL, NULL}};
    luaL_newlib(L, fns);
    return 1;
}
