"""csend.co under a real coroutine scheduler (luv) on every Lua: each case
of tests/lua/scheduler.lua, once per interpreter."""
import os
import re
import subprocess

import pytest

from conftest import BUILD, ROOT, child_env

# The interpreter and where the build put its module.
LUAS = {"lua5.1": "5.1", "lua5.2": "5.2", "lua5.3": "5.3", "lua5.4": None, "luajit": "luajit"}
SCRIPT = ROOT / "tests" / "lua" / "scheduler.lua"
CASES = re.findall(r"^cases\.(\w+) = function", SCRIPT.read_text(), re.M)


def module_dir(lua):
    sub = LUAS[lua]
    return BUILD / "lua" / sub if sub else BUILD / "lua"


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("lua", list(LUAS))
def test_scheduler(lua, case):
    assert (module_dir(lua) / "csend.so").exists(), f"the {lua} module is missing: run `make`"
    env = child_env(dict(os.environ, LUA_CPATH=f"{module_dir(lua)}/?.so;;", CSEND_LUA=lua,
                         LUA_PATH=f"{ROOT / 'bindings' / 'lua'}/?.lua;;"))
    run = subprocess.run([lua, str(SCRIPT), case], env=env, cwd=ROOT, capture_output=True,
                         text=True, timeout=300)
    assert run.returncode == 0 and f"ok {case}" in run.stdout, run.stdout + run.stderr
