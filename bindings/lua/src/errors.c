/* Error objects: a table per error with a shared metatable per class,
 * fields as contract §5 names them, `where` ("file:line:" of the Lua caller,
 * as luaL_where gives it), `tostring(e)` = "file:line: ClassName: message". */
#include "binding.h"

#include <string.h>

/* "file:line: ClassName: message": where it was raised first (luaL_where's
 * "file:line: ", empty when no Lua code called), as a Lua error message has it. */
static int error_tostring(lua_State *L)
{
    lua_getfield(L, 1, "where");
    lua_getfield(L, 1, "name");
    lua_getfield(L, 1, "message");
    lua_pushfstring(L, "%s%s: %s", luaL_optstring(L, -3, ""), luaL_optstring(L, -2, "?"),
                    luaL_optstring(L, -1, ""));
    return 1;
}

/* "failed: " .. e and e .. "!": the error object as tostring gives it.  An
 * operand that is neither a string, a number nor a csend error is the
 * language's own error, as if this metamethod were not there. */
static int error_concat(lua_State *L)
{
    for (int i = 1; i <= 2; i++) {
        if (lua_isstring(L, i))
            continue;
        int ours = 0;
        if (lua_getmetatable(L, i)) {
            lua_getfield(L, -1, "__concat");
            ours = lua_tocfunction(L, -1) == error_concat;
            lua_pop(L, 2);
        }
        if (!ours)
            return luaL_error(L, "attempt to concatenate a %s value", luaL_typename(L, i));
        lua_pushcfunction(L, error_tostring);
        lua_pushvalue(L, i);
        lua_call(L, 1, 1);
        lua_replace(L, i);
    }
    lua_concat(L, 2);
    return 1;
}

/* The metatable of class `name` (registry key "csend.<name>"). */
static void push_class(lua_State *L, const char *name)
{
    luaL_getmetatable(L, lua_pushfstring(L, "csend.%s", name));
    lua_remove(L, -2);
}

void csendlua_errors_register(lua_State *L)
{
    size_t n;
    const csend_error_class *classes = csend_error_class_table(&n);
    lua_newtable(L); /* csend.errors: the classes by name, the core's hierarchy */
    for (size_t i = 0; i < n; i++) {
        lua_pushfstring(L, "csend.%s", classes[i].name);
        luaL_newmetatable(L, lua_tostring(L, -1));
        lua_remove(L, -2);
        lua_pushstring(L, classes[i].name);
        lua_setfield(L, -2, "name");
        if (classes[i].parent) {
            push_class(L, classes[i].parent);
            lua_setfield(L, -2, "parent");
        }
        lua_pushcfunction(L, error_tostring);
        lua_setfield(L, -2, "__tostring");
        lua_pushcfunction(L, error_concat);
        lua_setfield(L, -2, "__concat");
        lua_pushvalue(L, -1);
        lua_setfield(L, -2, "__index"); /* e.name comes from the class */
        lua_setfield(L, -2, classes[i].name);
    }
}

/* csend.is(e, "ArgumentException"): is e of that class or one below it? */
int csendlua_is(lua_State *L)
{
    const char *want = luaL_checkstring(L, 2);
    luaL_getmetatable(L, lua_pushfstring(L, "csend.%s", want));
    int target = lua_gettop(L);
    int found = 0;
    if (!lua_isnil(L, target) && lua_getmetatable(L, 1)) {
        /* Walk up the parents; the depth of the hierarchy bounds the loop. */
        for (int depth = 0; depth < 8 && lua_istable(L, -1) && !found; depth++) {
            found = lua_rawequal(L, -1, target);
            lua_getfield(L, -1, "parent");
            lua_remove(L, -2);
        }
    }
    lua_pushboolean(L, found);
    return 1;
}

static void set_string(lua_State *L, const char *key, const char *value)
{
    if (value) {
        lua_pushstring(L, value);
        lua_setfield(L, -2, key);
    }
}

static void set_int(lua_State *L, const char *key, lua_Integer value)
{
    lua_pushinteger(L, value);
    lua_setfield(L, -2, key);
}

int csendlua_raise(lua_State *L, const csend_error *err)
{
    const char *cls = csend_error_class_name(err->kind);
    lua_createtable(L, 0, 9);
    set_string(L, "message", err->message);
    luaL_where(L, 1); /* the Lua code that called the function raising it */
    lua_setfield(L, -2, "where");
    switch (err->kind) {
    case CSEND_ERR_ARGUMENT:
    case CSEND_ERR_ARGUMENT_NULL:
        set_string(L, "param_name", err->param_name);
        break;
    case CSEND_ERR_ARGUMENT_OUT_OF_RANGE:
        set_string(L, "param_name", err->param_name);
        if (err->has_actual_value)
            set_int(L, "actual_value", err->actual_value);
        break;
    case CSEND_ERR_OBJECT_DISPOSED:
        set_string(L, "object_name", err->object_name);
        break;
    case CSEND_ERR_SOCKET:
        set_int(L, "error_code", err->socket_error);
        set_string(L, "socket_error", csend_socket_error_name(err->socket_error));
        set_int(L, "native_error_code", err->native_error);
        set_int(L, "bytes_transferred", err->bytes_transferred);
        break;
    default:
        break;
    }
    push_class(L, cls ? cls : "Exception");
    lua_setmetatable(L, -2);
    return lua_error(L);
}
