"""Two lua_States in one host process (tests/lua/two_states.c): each has its
own trace callback, and closing one leaves nothing dangling for the other."""
import os
import subprocess

from conftest import BUILD, child_env, under_valgrind

HOST = BUILD / "tests" / "lua" / "csend_lua_two_states"


def test_two_lua_states_trace_to_their_own_callbacks_and_close_apart():
    assert HOST.exists(), f"{HOST} is missing: run `make`"
    env = child_env(dict(os.environ, LUA_CPATH=f"{BUILD / 'lua'}/?.so;;"))
    run = subprocess.run(under_valgrind([str(HOST)]), env=env, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.strip() == "ok", run.stdout + run.stderr
