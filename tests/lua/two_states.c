/* Two lua_States in one process, as an embedding host has them: each
 * requires csend, each sets its own trace callback, one is closed while
 * the other goes on sending with tracing on.  Lines must reach the callback
 * of the state that sent, and closing one state must leave nothing of it
 * behind for the other (review finding 4: the trace thread was one global
 * for the whole process).  Prints "ok" and exits 0, or names the failure. */
#include <stdio.h>
#include <stdlib.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

static lua_State *new_state(const char *name)
{
    lua_State *L = luaL_newstate();
    if (L == NULL)
        exit(2);
    luaL_openlibs(L);
    lua_pushstring(L, name);
    lua_setglobal(L, "NAME");
    return L;
}

static void run(lua_State *L, const char *code)
{
    if (luaL_dostring(L, code) != LUA_OK) {
        fprintf(stderr, "FAIL: %s\n", lua_tostring(L, -1));
        exit(1);
    }
}

static const char *setup =
    "csend = require 'csend'\n"
    "lines = {}\n"
    "csend.set_trace(true, function(line) lines[#lines + 1] = NAME .. ' ' .. line end)\n"
    "local l = csend.socket(); l:bind('127.0.0.1', 0); l:listen(1)\n"
    "s = csend.socket(); s:connect(l:local_endpoint()); peer = l:accept(); l:close()\n";

static const char *send_and_check =
    "local before = #lines\n"
    "assert(s:send('hello') == 5)\n"
    "assert(#lines == before + 2, NAME .. ': ' .. (#lines - before) .. ' new lines')\n"
    "for i = before + 1, #lines do\n"
    "  assert(lines[i]:sub(1, #NAME + 1) == NAME .. ' ', 'a line of another state: ' .. lines[i])\n"
    "end\n"
    "assert(peer:receive(5) == 'hello')\n";

int main(void)
{
    lua_State *a = new_state("A");
    lua_State *b = new_state("B");
    run(a, setup);
    run(b, setup);
    run(a, send_and_check);
    run(b, send_and_check);
    /* A's callback, thread and sockets go with A. */
    lua_close(a);
    run(b, send_and_check);
    run(b, "collectgarbage(); collectgarbage()");
    run(b, send_and_check);
    /* B replaces its callback from inside it, then drops it. */
    run(b, "csend.set_trace(true, function() csend.set_trace(true, nil) collectgarbage() end)\n"
           "assert(s:send('x') == 1) assert(peer:receive(1) == 'x')\n"
           "csend.set_trace(false)");
    lua_close(b);
    printf("ok\n");
    return 0;
}
