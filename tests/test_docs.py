"""Every ```python and ```lua block of README.md and docs/*.md runs, as
written, in a fresh interpreter: the examples a newcomer copies are never
stale. Lua blocks run on every Lua csend builds for, except that a block
with `<close>` (Lua 5.4's) runs on 5.4 only."""
import os
import pathlib
import re
import subprocess
import sys

import pytest

from conftest import BUILD, ROOT, child_env

FILES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)
LUA_BLOCK = re.compile(r"^```lua\n(.*?)^```", re.S | re.M)
# Each interpreter and the directory of the module built for it.
LUAS = {"lua5.1": "5.1", "lua5.2": "5.2", "lua5.3": "5.3", "lua5.4": "", "luajit": "luajit"}


def blocks(pattern=BLOCK):
    for path in FILES:
        text = path.read_text()
        for m in pattern.finditer(text):
            line = text.count("\n", 0, m.start()) + 1
            yield pytest.param(m.group(1), id=f"{path.relative_to(ROOT)}:{line}")


def lua_blocks():
    for block in blocks(LUA_BLOCK):
        code = block.values[0]
        for lua in LUAS:
            if "<close>" in code and lua != "lua5.4":
                continue
            yield pytest.param(lua, code, id=f"{lua}-{block.id}")


def test_the_docs_have_python_examples():
    assert len(list(blocks())) >= 10


@pytest.mark.parametrize("code", list(blocks()))
def test_python_block_runs(code, tmp_path):
    run = subprocess.run([sys.executable, "-X", "dev", "-W", "error::ResourceWarning", "-c", code],
                         cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stdout + run.stderr


def test_the_docs_have_lua_examples():
    assert len(list(blocks(LUA_BLOCK))) >= 8


@pytest.mark.parametrize("lua, code", list(lua_blocks()))
def test_lua_block_runs(lua, code, tmp_path):
    module = BUILD / "lua" / LUAS[lua]
    env = child_env(dict(os.environ, LUA_CPATH=f"{module}/?.so;;",
                         LUA_PATH=f"{ROOT / 'bindings' / 'lua'}/?.lua;;"))
    script = tmp_path / "example.lua"
    script.write_text(code)
    run = subprocess.run([lua, str(script)], cwd=tmp_path, env=env, capture_output=True,
                         text=True, timeout=60)
    assert run.returncode == 0, run.stdout + run.stderr
